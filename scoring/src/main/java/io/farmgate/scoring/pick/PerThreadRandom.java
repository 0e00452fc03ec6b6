package io.farmgate.scoring.pick;

import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * A {@link RandomGenerator} for pickers that run on many server threads: every draw comes from a
 * generator of the calling thread, obtained on that thread. Handing {@code ThreadLocalRandom.current()}
 * taken on the main thread to other threads is wrong: a thread that never called {@code current()}
 * itself has an uninitialised seed and draws a sequence fixed by the JDK, so two gateway processes
 * make the same "random" choices in step.
 *
 * <p>{@link #create()} draws from {@link ThreadLocalRandom} of the calling thread (seeded per thread
 * from the process's entropy). {@link #seeded(long)} is for tests and the simulator: each thread gets
 * a {@link SplittableRandom} split from one seeded root, so a single-threaded run is reproducible.
 */
public final class PerThreadRandom implements RandomGenerator {

    private final Supplier<RandomGenerator> current;

    private PerThreadRandom(Supplier<RandomGenerator> current) {
        this.current = current;
    }

    /** Draws from {@code ThreadLocalRandom.current()} of whichever thread draws. */
    public static PerThreadRandom create() {
        return new PerThreadRandom(ThreadLocalRandom::current);
    }

    /** Each thread draws from its own generator split from a root seeded with {@code seed}. */
    public static PerThreadRandom seeded(long seed) {
        SplittableRandom root = new SplittableRandom(seed);
        ThreadLocal<RandomGenerator> perThread = ThreadLocal.withInitial(() -> {
            synchronized (root) {
                return root.split();
            }
        });
        return new PerThreadRandom(perThread::get);
    }

    @Override
    public long nextLong() {
        return current.get().nextLong();
    }

    @Override
    public int nextInt() {
        return current.get().nextInt();
    }

    @Override
    public int nextInt(int bound) {
        return current.get().nextInt(bound);
    }

    @Override
    public long nextLong(long bound) {
        return current.get().nextLong(bound);
    }

    @Override
    public double nextDouble() {
        return current.get().nextDouble();
    }

    @Override
    public boolean nextBoolean() {
        return current.get().nextBoolean();
    }
}
