package io.farmgate.scoring.pick;

import io.farmgate.scoring.FarmSnapshot;
import java.util.concurrent.atomic.AtomicInteger;

/** Each eligible host in turn, blind to load: the default of nginx and HAProxy. */
public final class RoundRobinPicker implements Picker {

    private final AtomicInteger next = new AtomicInteger();

    @Override
    public int pick(FarmSnapshot snapshot) {
        int n = snapshot.eligibleCount();
        return n == 0 ? NO_HOST : Math.floorMod(next.getAndIncrement(), n);
    }
}
