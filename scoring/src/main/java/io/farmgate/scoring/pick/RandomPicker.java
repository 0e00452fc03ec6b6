package io.farmgate.scoring.pick;

import io.farmgate.scoring.FarmSnapshot;
import java.util.random.RandomGenerator;

/** Uniformly random among eligible hosts, blind to load: what DNS round robin amounts to. */
public final class RandomPicker implements Picker {

    private final RandomGenerator random;

    public RandomPicker(RandomGenerator random) {
        this.random = random;
    }

    @Override
    public int pick(FarmSnapshot snapshot) {
        int n = snapshot.eligibleCount();
        return n == 0 ? NO_HOST : random.nextInt(n);
    }
}
