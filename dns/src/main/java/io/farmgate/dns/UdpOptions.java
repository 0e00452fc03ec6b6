package io.farmgate.dns;

/**
 * How a {@link UdpListener} takes UDP queries in and answers them.
 *
 * @param fastPath  answer one A/AAAA question without dnsjava ({@link FastPathResponder}); off only
 *                  to measure what it saves
 * @param batching  receive and send many packets per system call where the native library loads
 *                  ({@link UdpBatch}, {@link DnsConfig#udpBatching()}); otherwise one per call
 */
record UdpOptions(boolean fastPath, boolean batching) {
}
