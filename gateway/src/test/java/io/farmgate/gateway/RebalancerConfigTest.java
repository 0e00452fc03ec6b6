package io.farmgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmgate.scoring.rebalance.RebalancePolicy;
import org.junit.jupiter.api.Test;

/** Rebalancer settings are checked once, with messages naming the field. */
class RebalancerConfigTest {

    @Test
    void defaultsAreFiveSecondPeriodAndTenSecondLease() {
        RebalancerConfig c = RebalancerConfig.defaults("gw-a");

        assertThat(c.periodMillis()).isEqualTo(5_000);
        assertThat(c.leaseMillis()).isEqualTo(10_000);
    }

    @Test
    void leaseShorterThanTwoPeriodsIsRefused() {
        assertThatThrownBy(() -> new RebalancerConfig(5_000, 9_999, RebalancePolicy.DEFAULT, "gw-a"))
                .hasMessage("leaderLeaseMillis: 9999 (expected: in [2 x rebalancePeriodMillis = 10000, 3600000])");
    }

    @Test
    void periodOutOfRangeIsRefused() {
        assertThatThrownBy(() -> new RebalancerConfig(0, 10_000, RebalancePolicy.DEFAULT, "gw-a"))
                .hasMessageStartingWith("rebalancePeriodMillis: 0");
    }

    @Test
    void ownerIdThatCannotBeAnEventActorIsRefused() {
        assertThatThrownBy(() -> new RebalancerConfig(5_000, 10_000, RebalancePolicy.DEFAULT, "gw a"))
                .hasMessageStartingWith("ownerId: 'gw a'");
    }

    @Test
    void generatedOwnerIdIsAValidActorWhateverTheHostName() {
        String id = RebalancerConfig.ownerIdFor("my host (1)/ü", 0xabcdefL);

        assertThat(id).isEqualTo("gateway:myhost1:abcdef");
        assertThat(RebalancerConfig.defaults(id).ownerId()).isEqualTo(id);
    }
}
