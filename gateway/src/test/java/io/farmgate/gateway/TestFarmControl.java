package io.farmgate.gateway;

/** Forwards operator writes to a {@link TestFarm}; subclass to add what a test needs (events). */
class TestFarmControl implements HostControl {

    private final TestFarm farm;

    TestFarmControl(TestFarm farm) {
        this.farm = farm;
    }

    @Override
    public void setDraining(String hostId, boolean draining) {
        farm.setDraining(hostId, draining);
    }

    @Override
    public void setTargetConnections(String hostId, int targetConnections) {
        farm.setTargetConnections(hostId, targetConnections);
    }

    @Override
    public boolean hasStoredState(String hostId) {
        return farm.hasStoredState(hostId);
    }
}
