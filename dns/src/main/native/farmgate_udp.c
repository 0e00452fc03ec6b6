/*
 * Batched UDP receive and send for farmgate DNS (Linux): recvmmsg and sendmmsg on the socket of a
 * java.nio DatagramChannel, so one system call carries many queries or answers. Java owns the
 * socket (bind, options, close) and the buffers; this only moves packets.
 *
 * Layout shared with NativeUdp.java, per slot i of n:
 *   rx   + i * rxSlot : the received query
 *   tx   + i * txSlot : the answer, written by Java
 *   meta + i * 32     : [0] int received length, [4] int family (4 or 6), [8..24) address,
 *                       [24] int answer length (0: no answer), [28] int received flags
 */
#define _GNU_SOURCE
#include <jni.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#define META_BYTES 32
#define IDLE_POLL_MILLIS 500

struct batch {
    int slots;
    char *rx;
    int rx_slot;
    char *tx;
    int tx_slot;
    char *meta;
    struct mmsghdr *rx_msgs;
    struct iovec *rx_iov;
    struct sockaddr_storage *peers;
    struct mmsghdr *tx_msgs;
    struct iovec *tx_iov;
};

static void put_int(char *at, int v) { memcpy(at, &v, sizeof v); }
static int get_int(const char *at) { int v; memcpy(&v, at, sizeof v); return v; }

JNIEXPORT jint JNICALL Java_io_farmgate_dns_NativeUdp_fd(JNIEnv *env, jclass cls, jobject channel) {
    (void) cls;
    /* JNI reads the channel's private field without the module system's permission. */
    jclass type = (*env)->GetObjectClass(env, channel);
    jfieldID field = (*env)->GetFieldID(env, type, "fdVal", "I");
    if (field == NULL) {
        (*env)->ExceptionClear(env);
        return -1;
    }
    return (*env)->GetIntField(env, channel, field);
}

JNIEXPORT jlong JNICALL Java_io_farmgate_dns_NativeUdp_create(JNIEnv *env, jclass cls, jint fd, jint slots,
        jobject rx, jint rx_slot, jobject tx, jint tx_slot, jobject meta) {
    (void) cls;
    /* A blocking receive returns now and then even when idle, so a thread notices it was closed
       even if the wake-up in wake() were missed. */
    struct timeval idle = { .tv_sec = 0, .tv_usec = IDLE_POLL_MILLIS * 1000 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof idle);
    struct batch *b = calloc(1, sizeof *b);
    if (b == NULL) {
        return 0;
    }
    b->slots = slots;
    b->rx = (*env)->GetDirectBufferAddress(env, rx);
    b->rx_slot = rx_slot;
    b->tx = (*env)->GetDirectBufferAddress(env, tx);
    b->tx_slot = tx_slot;
    b->meta = (*env)->GetDirectBufferAddress(env, meta);
    b->rx_msgs = calloc(slots, sizeof *b->rx_msgs);
    b->rx_iov = calloc(slots, sizeof *b->rx_iov);
    b->peers = calloc(slots, sizeof *b->peers);
    b->tx_msgs = calloc(slots, sizeof *b->tx_msgs);
    b->tx_iov = calloc(slots, sizeof *b->tx_iov);
    if (b->rx == NULL || b->tx == NULL || b->meta == NULL || b->rx_msgs == NULL || b->rx_iov == NULL
            || b->peers == NULL || b->tx_msgs == NULL || b->tx_iov == NULL) {
        free(b->rx_msgs); free(b->rx_iov); free(b->peers); free(b->tx_msgs); free(b->tx_iov); free(b);
        return 0;
    }
    return (jlong) (intptr_t) b;
}

JNIEXPORT void JNICALL Java_io_farmgate_dns_NativeUdp_destroy(JNIEnv *env, jclass cls, jlong handle) {
    (void) env; (void) cls;
    struct batch *b = (struct batch *) (intptr_t) handle;
    if (b == NULL) {
        return;
    }
    free(b->rx_msgs); free(b->rx_iov); free(b->peers); free(b->tx_msgs); free(b->tx_iov); free(b);
}

/*
 * Waits for at least one datagram and takes every one already queued, up to the slot count.
 * Returns how many (0 after an idle interval or an interruption: the caller checks whether it
 * was closed and calls again), or -errno.
 */
JNIEXPORT jint JNICALL Java_io_farmgate_dns_NativeUdp_receive(JNIEnv *env, jclass cls, jlong handle, jint fd) {
    (void) env; (void) cls;
    struct batch *b = (struct batch *) (intptr_t) handle;
    for (int i = 0; i < b->slots; i++) {
        b->rx_iov[i].iov_base = b->rx + (size_t) i * b->rx_slot;
        b->rx_iov[i].iov_len = b->rx_slot;
        memset(&b->rx_msgs[i].msg_hdr, 0, sizeof b->rx_msgs[i].msg_hdr);
        b->rx_msgs[i].msg_hdr.msg_iov = &b->rx_iov[i];
        b->rx_msgs[i].msg_hdr.msg_iovlen = 1;
        b->rx_msgs[i].msg_hdr.msg_name = &b->peers[i];
        b->rx_msgs[i].msg_hdr.msg_namelen = sizeof b->peers[i];
    }
    int n = recvmmsg(fd, b->rx_msgs, b->slots, MSG_WAITFORONE, NULL);
    if (n < 0) {
        int e = errno;
        if (e == EAGAIN || e == EWOULDBLOCK) {
            /* Idle for a while, or a non-blocking socket: wait here, never spin. */
            struct pollfd p = { .fd = fd, .events = POLLIN };
            if (poll(&p, 1, IDLE_POLL_MILLIS) < 0 && errno != EINTR) {
                return -errno;
            }
            return 0;
        }
        return e == EINTR ? 0 : -e;
    }
    for (int i = 0; i < n; i++) {
        char *m = b->meta + (size_t) i * META_BYTES;
        struct sockaddr_storage *peer = &b->peers[i];
        put_int(m, (int) b->rx_msgs[i].msg_len);
        put_int(m + 24, 0);
        put_int(m + 28, b->rx_msgs[i].msg_hdr.msg_flags);
        if (peer->ss_family == AF_INET) {
            put_int(m + 4, 4);
            memcpy(m + 8, &((struct sockaddr_in *) peer)->sin_addr, 4);
        } else if (peer->ss_family == AF_INET6) {
            put_int(m + 4, 6);
            memcpy(m + 8, &((struct sockaddr_in6 *) peer)->sin6_addr, 16);
        } else {
            put_int(m + 4, 0);
        }
    }
    return n;
}

/*
 * Sends the answers of slots [0, count) that have one, each to the sender of its query.
 * Returns how many could not be sent (a failed destination is skipped, the rest still go).
 */
JNIEXPORT jint JNICALL Java_io_farmgate_dns_NativeUdp_send(JNIEnv *env, jclass cls, jlong handle, jint fd,
        jint count) {
    (void) env; (void) cls;
    struct batch *b = (struct batch *) (intptr_t) handle;
    int m = 0;
    for (int i = 0; i < count; i++) {
        int len = get_int(b->meta + (size_t) i * META_BYTES + 24);
        if (len <= 0) {
            continue;
        }
        b->tx_iov[m].iov_base = b->tx + (size_t) i * b->tx_slot;
        b->tx_iov[m].iov_len = len;
        memset(&b->tx_msgs[m].msg_hdr, 0, sizeof b->tx_msgs[m].msg_hdr);
        b->tx_msgs[m].msg_hdr.msg_iov = &b->tx_iov[m];
        b->tx_msgs[m].msg_hdr.msg_iovlen = 1;
        b->tx_msgs[m].msg_hdr.msg_name = &b->peers[i];
        b->tx_msgs[m].msg_hdr.msg_namelen = b->rx_msgs[i].msg_hdr.msg_namelen;
        m++;
    }
    int sent = 0;
    int failed = 0;
    while (sent + failed < m) {
        int r = sendmmsg(fd, b->tx_msgs + sent + failed, m - sent - failed, 0);
        if (r > 0) {
            sent += r;
        } else if (r < 0 && errno == EINTR) {
            continue;
        } else {
            failed++; /* the first of the rest cannot go (full buffer on a non-blocking socket, or its route) */
        }
    }
    return failed;
}

/* Wakes a thread waiting in receive on this socket, before Java closes it. */
JNIEXPORT void JNICALL Java_io_farmgate_dns_NativeUdp_wake(JNIEnv *env, jclass cls, jint fd) {
    (void) env; (void) cls;
    shutdown(fd, SHUT_RDWR); /* ENOTCONN on an unconnected UDP socket, but receivers are woken */
}
