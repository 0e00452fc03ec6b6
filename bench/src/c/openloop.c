/*
 * openloop: an open-loop HTTP/1.1 load generator for the bench scripts (wrk2 is not packaged for
 * Debian, and one JVM beside Redis and the fake hosts cannot keep a schedule of ~55k requests/s).
 *
 * Requests are due on a fixed schedule (request i at t0 + i / rate) whatever the server does, and a
 * request's latency counts from when it was due, not from when it was sent, so a stalled server (or
 * a late generator) cannot hide behind waiting clients: no coordinated omission. One thread, epoll,
 * non-blocking sockets, loopback targets only.
 *
 *   --mode keep-alive  --connections N kept-alive connections, one request in flight on each (no
 *                      pipelining). A due request takes an idle connection, or waits in a queue
 *                      for the next one to come free; that wait is latency.
 *   --mode close       every request on a new connection (`Connection: close`), connected when due:
 *                      a fixed connection rate, for CPU per connection and connection storms.
 *
 * Timing: the loop runs once per --tick-us (default 100 us; a periodic timerfd): it takes every I/O
 * event there is (epoll_wait without waiting), sends every request due by then, back to back, takes
 * the events again and sleeps until the next tick. So a request goes out at most one tick (plus the
 * loop's own lateness) after it was due, and that delay is inside its measured latency: the tick can
 * only make latencies look worse, never better. The loop is not woken by each answer (at ~50k
 * answers/s that would be 50k context switches a second); instead each answer is timed by the
 * kernel's receive timestamp (SO_TIMESTAMPNS: on loopback, when the server sent it), so polling once
 * per tick does not make it look later than it was. Only while requests wait for a kept-alive
 * connection (a backlog) does the loop wake on answers, so connections turn round at once and the
 * backlog drains as fast as the server answers. The generator measures its own lateness (when it
 * sent a request minus when it was due) and prints it as gen_lag_*: when gen_lag_p99_ms is not small
 * beside p99_ms, the figures measure the generator (or a busy machine), not the server.
 *
 * Every answer must be a complete HTTP/1.x response (status line, headers to the blank line, a body
 * of Content-Length bytes; without Content-Length the body runs to the close in close mode, and is
 * taken as empty in keep-alive mode only for 1xx/204/304) with the --expect status, and a Location
 * header when that status is 3xx. A refused or reset connection, another status, a malformed or
 * chunked answer, bytes beyond the answer, or no answer within --timeout-millis of the due time is an
 * error (counted; the first few printed on stderr as `error: ...`).
 *
 * Output, one line on stdout:
 *   requests=N errors=E rate=R p50_ms= p90_ms= p99_ms= p999_ms= max_ms= gen_lag_p99_ms= gen_lag_max_ms=
 *   scheduled=S queued_max=Q warmup_errors=W ticks=T backlog_waits=B unstamped=U reconnects=C
 * (rate: answered requests per second over the measured part; latencies in milliseconds, each
 * percentile the upper bound of its histogram bucket, so it errs high by at most 1/128 of the value;
 * queued_max: most requests ever waiting for a free kept-alive connection; ticks: loops on the tick;
 * backlog_waits: loops woken by answers while requests waited for connections; unstamped: answers that
 * had no usable kernel timestamp and were timed when read; reconnects: kept-alive connections
 * opened again after an error, a close by the server or its `Connection: close`.)
 *
 * Usage: openloop --target 127.0.0.1:PORT --rate R (--seconds S | --count N) [--mode keep-alive|close]
 *          [--connections 50] [--path /chat?room=1] [--expect 307] [--timeout-millis 5000]
 *          [--warmup N] [--tick-us 100]
 *        openloop --self-test
 * --warmup N: the first N requests of the same schedule are not measured (no pause between).
 * Exit: 0 after a run (errors are in the line), 2 for a bad command line, 1 for a run-time failure.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

/* ---------- the histogram: log-linear, fixed memory (as HdrHistogram with 2 significant digits) --- */

/* Values in nanoseconds. Below 256 ns one bucket per ns; above, 128 buckets per power of two, so a
 * bucket is at most 1/128 of its value wide. 2^40 ns (18 minutes) and above share the last bucket. */
#define SUB_BITS 7
#define SUB_COUNT (1 << SUB_BITS) /* 128 */
#define HIST_MAX_BITS 40
#define HIST_BUCKETS (2 * SUB_COUNT + (HIST_MAX_BITS - SUB_BITS - 1) * SUB_COUNT)

typedef struct {
    uint64_t counts[HIST_BUCKETS];
    uint64_t total;
    int64_t max;
} histogram;

static int hist_index(int64_t v) {
    if (v < 0) v = 0;
    if (v < 2 * SUB_COUNT) return (int)v;
    int msb = 63 - __builtin_clzll((uint64_t)v);
    if (msb >= HIST_MAX_BITS) return HIST_BUCKETS - 1;
    int shift = msb - SUB_BITS; /* >= 1 */
    return 2 * SUB_COUNT + (shift - 1) * SUB_COUNT + (int)((v >> shift) - SUB_COUNT);
}

/* The highest value that falls into bucket i. */
static int64_t hist_upper(int i) {
    if (i < 2 * SUB_COUNT) return i;
    int shift = (i - 2 * SUB_COUNT) / SUB_COUNT + 1;
    int64_t sub = (i - 2 * SUB_COUNT) % SUB_COUNT + SUB_COUNT;
    return ((sub + 1) << shift) - 1;
}

static void hist_record(histogram *h, int64_t v) {
    h->counts[hist_index(v)]++;
    h->total++;
    if (v > h->max) h->max = v;
}

/* The value at percentile p (0-100): the upper bound of the bucket holding that rank, never above the
 * largest value recorded; 0 when nothing was recorded. */
static int64_t hist_percentile(const histogram *h, double p) {
    if (h->total == 0) return 0;
    uint64_t rank = (uint64_t)ceil((double)h->total * p / 100.0);
    if (rank < 1) rank = 1;
    uint64_t seen = 0;
    for (int i = 0; i < HIST_BUCKETS; i++) {
        seen += h->counts[i];
        if (seen >= rank) {
            if (i == HIST_BUCKETS - 1) return h->max; /* the open-ended last bucket */
            int64_t v = hist_upper(i);
            return v < h->max ? v : h->max;
        }
    }
    return h->max;
}

/* ---------- the response head parser ---------- */

typedef struct {
    int status;            /* 100-599 */
    long content_length;   /* -1: none */
    int has_location;
    int chunked;
    int closes;            /* Connection: close: the server ends the connection after this answer */
    size_t head_length;    /* bytes up to and including the blank line */
} response_head;

enum { HEAD_INCOMPLETE = 0, HEAD_OK = 1, HEAD_BAD = -1 };

/* Whether the header line [line, end) is named `name` (case-insensitive); if so, *value points past
 * the colon and its spaces. */
static int header_is(const char *line, const char *end, const char *name, const char **value) {
    size_t n = strlen(name);
    if ((size_t)(end - line) <= n || strncasecmp(line, name, n) != 0 || line[n] != ':') return 0;
    const char *v = line + n + 1;
    while (v < end && (*v == ' ' || *v == '\t')) v++;
    *value = v;
    return 1;
}

/* Parses a response head in buf[0, len). HEAD_INCOMPLETE until the blank line is in; HEAD_BAD for a
 * malformed status line or Content-Length (why: *error). */
static int parse_head(const char *buf, size_t len, response_head *h, const char **error) {
    const char *end = memmem(buf, len, "\r\n\r\n", 4);
    if (end == NULL) return HEAD_INCOMPLETE;
    memset(h, 0, sizeof *h);
    h->content_length = -1;
    h->head_length = (size_t)(end - buf) + 4;
    if (end - buf < 12 || memcmp(buf, "HTTP/1.", 7) != 0 || (buf[7] != '0' && buf[7] != '1') || buf[8] != ' '
        || buf[9] < '1' || buf[9] > '5' || buf[10] < '0' || buf[10] > '9' || buf[11] < '0' || buf[11] > '9'
        || (end - buf > 12 && buf[12] != ' ' && buf[12] != '\r')) {
        *error = "malformed status line";
        return HEAD_BAD;
    }
    h->status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
    const char *line = memmem(buf, (size_t)(end - buf) + 2, "\r\n", 2) + 2;
    while (line < end + 2) {
        const char *eol = memmem(line, (size_t)(end + 2 - line), "\r\n", 2);
        const char *value;
        if (header_is(line, eol, "content-length", &value)) {
            long n = 0;
            const char *p = value;
            if (p == eol) { *error = "empty Content-Length"; return HEAD_BAD; }
            for (; p < eol && *p >= '0' && *p <= '9'; p++) {
                n = n * 10 + (*p - '0');
                if (n > (1L << 30)) { *error = "Content-Length over 1 GiB"; return HEAD_BAD; }
            }
            while (p < eol && (*p == ' ' || *p == '\t')) p++;
            if (p != eol) { *error = "malformed Content-Length"; return HEAD_BAD; }
            if (h->content_length >= 0 && h->content_length != n) { *error = "two different Content-Lengths"; return HEAD_BAD; }
            h->content_length = n;
        } else if (header_is(line, eol, "location", &value)) {
            h->has_location = value < eol;
        } else if (header_is(line, eol, "transfer-encoding", &value)) {
            h->chunked = 1;
        } else if (header_is(line, eol, "connection", &value)) {
            h->closes = eol - value >= 5 && strncasecmp(value, "close", 5) == 0;
        }
        line = eol + 2;
    }
    return HEAD_OK;
}

/* ---------- configuration ---------- */

typedef struct {
    struct sockaddr_in target;
    char target_text[64];
    double rate;
    uint64_t count;     /* measured requests */
    uint64_t warmup;    /* unmeasured requests before them */
    int keep_alive;
    int connections;
    const char *path;
    int expect;
    int64_t timeout_ns;
    int64_t tick_ns;
} config;

static void usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("openloop: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nusage: openloop --target 127.0.0.1:PORT --rate R (--seconds S | --count N) [--mode keep-alive|close]\n"
          "         [--connections 50] [--path /chat?room=1] [--expect 307] [--timeout-millis 5000]\n"
          "         [--warmup N] [--tick-us 100]\n"
          "       openloop --self-test\n", stderr);
    exit(2);
}

static double number_arg(const char *name, const char *text, double min, double max) {
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || !(v >= min && v <= max)) {
        usage_error("--%s: %s (expected: a number from %g to %g)", name, text, min, max);
    }
    return v;
}

static void parse_target(config *c, const char *text) {
    char host[64];
    const char *colon = strrchr(text, ':');
    if (colon == NULL || (size_t)(colon - text) >= sizeof host) usage_error("--target: %s (expected: 127.x.x.x:PORT)", text);
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    int port = (int)number_arg("target's port", colon + 1, 1, 65535);
    memset(&c->target, 0, sizeof c->target);
    c->target.sin_family = AF_INET;
    c->target.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &c->target.sin_addr) != 1) usage_error("--target: %s (expected: 127.x.x.x:PORT)", text);
    if ((ntohl(c->target.sin_addr.s_addr) >> 24) != 127) {
        usage_error("--target: %s (expected: a loopback address, 127.x.x.x: load stays on this machine)", text);
    }
    snprintf(c->target_text, sizeof c->target_text, "%s", host);
}

static void parse_args(config *c, int argc, char **argv) {
    double seconds = -1, count = -1;
    int have_target = 0, have_rate = 0;
    memset(c, 0, sizeof *c);
    c->keep_alive = 0;
    c->connections = 50;
    c->path = "/chat?room=1";
    c->expect = 307;
    c->timeout_ns = 5000LL * 1000000;
    c->tick_ns = 100 * 1000;
    for (int i = 1; i < argc; i += 2) {
        const char *name = argv[i];
        if (strncmp(name, "--", 2) != 0) usage_error("unexpected argument: %s", name);
        name += 2;
        if (i + 1 >= argc) usage_error("--%s needs a value", name);
        const char *v = argv[i + 1];
        if (!strcmp(name, "target")) { parse_target(c, v); have_target = 1; }
        else if (!strcmp(name, "rate")) { c->rate = number_arg(name, v, 1, 1e7); have_rate = 1; }
        else if (!strcmp(name, "seconds")) seconds = number_arg(name, v, 0.01, 3600);
        else if (!strcmp(name, "count")) count = number_arg(name, v, 1, 1e9);
        else if (!strcmp(name, "warmup")) c->warmup = (uint64_t)number_arg(name, v, 0, 1e9);
        else if (!strcmp(name, "connections")) c->connections = (int)number_arg(name, v, 1, 10000);
        else if (!strcmp(name, "expect")) c->expect = (int)number_arg(name, v, 100, 599);
        else if (!strcmp(name, "timeout-millis")) c->timeout_ns = (int64_t)(number_arg(name, v, 1, 600000) * 1e6);
        else if (!strcmp(name, "tick-us")) c->tick_ns = (int64_t)(number_arg(name, v, 1, 100000) * 1e3);
        else if (!strcmp(name, "path")) {
            if (v[0] != '/' || strpbrk(v, " \r\n") != NULL || strlen(v) > 2000) {
                usage_error("--path: %s (expected: starting with /, no spaces or line breaks, at most 2000 bytes)", v);
            }
            c->path = v;
        } else if (!strcmp(name, "mode")) {
            if (!strcmp(v, "keep-alive")) c->keep_alive = 1;
            else if (!strcmp(v, "close")) c->keep_alive = 0;
            else usage_error("--mode: %s (expected: keep-alive or close)", v);
        } else usage_error("unknown option: --%s", name);
    }
    if (!have_target) usage_error("--target is needed");
    if (!have_rate) usage_error("--rate is needed");
    if ((seconds < 0) == (count < 0)) usage_error("give one of --seconds and --count");
    c->count = count >= 0 ? (uint64_t)count : (uint64_t)llround(seconds * c->rate);
    if (c->count < 1) usage_error("--seconds: %g at --rate %g is no request at all", seconds, c->rate);
}

/* ---------- the run ---------- */

enum conn_state { C_CLOSED, C_CONNECTING, C_IDLE, C_BUSY };

typedef struct {
    int fd;
    uint32_t generation;   /* bumped on every close, so a stale epoll event is recognised */
    enum conn_state state;
    int sent;              /* connected, and in close mode its request written */
    int64_t due;           /* the due time of the request it carries */
    int64_t arrived;       /* when the last bytes of its answer reached the socket (0: not known) */
    uint64_t index;        /* which request of the schedule */
    size_t have;           /* bytes in buf */
    int head_done;
    response_head head;
    long body_left;        /* -1: to the close */
    char buf[4096];
} conn;

typedef struct {
    config cfg;
    char request[2200];
    size_t request_length;
    int epoll_fd, timer_fd;
    conn **conns;          /* keep-alive: the N connections; close: the slots of connections in flight */
    size_t conns_used, conns_capacity;
    uint32_t *free_slots;  /* close mode: slots free for reuse */
    size_t free_count;
    uint32_t *idle;        /* keep-alive: idle connections (a stack) */
    size_t idle_count;
    /* keep-alive: requests due while no connection was idle (a ring of due times and indexes) */
    int64_t *queue_due;
    uint64_t *queue_index;
    size_t queue_head, queue_count, queue_capacity, queue_max;
    uint64_t scheduled, finished, answered, errors, warmup_errors;
    int64_t t0, interval_first_due, last_answer;
    double interval_ns;
    histogram latency, gen_lag;
    int64_t realtime_offset;   /* CLOCK_REALTIME - CLOCK_MONOTONIC, for the kernel's receive timestamps */
    uint64_t unstamped, ticks, backlog_waits, reconnects;
    int error_samples;
} run_state;

#define NO_REQUEST UINT64_MAX

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t due_of(const run_state *r, uint64_t i) { return r->t0 + (int64_t)((double)i * r->interval_ns); }

static uint64_t total_of(const run_state *r) { return r->cfg.warmup + r->cfg.count; }

static void fatal(const char *what) {
    fprintf(stderr, "openloop: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* A failed request (index: its place in the schedule), or with NO_REQUEST a failure that is no
 * request's (a kept-alive connection that cannot be reopened, bytes nobody asked for): both count as
 * errors; only requests count towards the end of the run. */
static void note_error(run_state *r, uint64_t index, const char *fmt, ...) {
    if (index != NO_REQUEST) r->finished++;
    if (index < r->cfg.warmup) {
        r->warmup_errors++;
        return;
    }
    r->errors++;
    if (r->error_samples < 5) {
        r->error_samples++;
        va_list ap;
        va_start(ap, fmt);
        fputs("error: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
    }
}

static void close_conn(run_state *r, conn *c, uint32_t slot) {
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    c->generation++;
    c->state = C_CLOSED;
    if (!r->cfg.keep_alive) r->free_slots[r->free_count++] = slot;
}

/* Opens a non-blocking connection on c; 0, or -1 with errno. */
static int open_conn(run_state *r, conn *c, uint32_t slot) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) < 0) fatal("setsockopt SO_TIMESTAMPNS");
    c->fd = fd;
    c->state = C_CONNECTING;
    c->sent = 0;
    c->have = 0;
    c->head_done = 0;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
                             .data.u64 = ((uint64_t)c->generation << 32) | slot};
    if (connect(fd, (struct sockaddr *)&r->cfg.target, sizeof r->cfg.target) < 0 && errno != EINPROGRESS) {
        int saved = errno;
        close(fd);
        c->fd = -1;
        c->state = C_CLOSED;
        errno = saved;
        return -1;
    }
    if (epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) fatal("epoll_ctl");
    return 0;
}

static int send_request(run_state *r, conn *c) {
    ssize_t n = send(c->fd, r->request, r->request_length, MSG_NOSIGNAL);
    if (n == (ssize_t)r->request_length) {
        c->sent = 1;
        c->arrived = 0;
        c->have = 0;
        c->head_done = 0;
        return 0;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 1; /* not connected yet: wait for EPOLLOUT */
    return -1;
}

static void queue_push(run_state *r, int64_t due, uint64_t index) {
    if (r->queue_count == r->queue_capacity) {
        size_t cap = r->queue_capacity ? r->queue_capacity * 2 : 1024;
        int64_t *d = malloc(cap * sizeof *d);
        uint64_t *x = malloc(cap * sizeof *x);
        if (d == NULL || x == NULL) fatal("malloc");
        for (size_t i = 0; i < r->queue_count; i++) {
            d[i] = r->queue_due[(r->queue_head + i) % r->queue_capacity];
            x[i] = r->queue_index[(r->queue_head + i) % r->queue_capacity];
        }
        free(r->queue_due);
        free(r->queue_index);
        r->queue_due = d;
        r->queue_index = x;
        r->queue_head = 0;
        r->queue_capacity = cap;
    }
    size_t at = (r->queue_head + r->queue_count) % r->queue_capacity;
    r->queue_due[at] = due;
    r->queue_index[at] = index;
    r->queue_count++;
    if (r->queue_count > r->queue_max) r->queue_max = r->queue_count;
}

static void queue_pop(run_state *r, int64_t *due, uint64_t *index) {
    *due = r->queue_due[r->queue_head];
    *index = r->queue_index[r->queue_head];
    r->queue_head = (r->queue_head + 1) % r->queue_capacity;
    r->queue_count--;
}

/* Opens a new kept-alive connection in slot (closed), counted; a failure is an error of no request. */
static void reopen(run_state *r, conn *c, uint32_t slot) {
    r->reconnects++;
    if (open_conn(r, c, slot) < 0) note_error(r, NO_REQUEST, "cannot reconnect: %s", strerror(errno));
}

/* Puts request (due, index) on the idle keep-alive connection in slot. */
static void keep_alive_send(run_state *r, uint32_t slot, int64_t due, uint64_t index) {
    conn *c = r->conns[slot];
    c->due = due;
    c->index = index;
    c->state = C_BUSY;
    if (send_request(r, c) != 0) {
        note_error(r, index, "request not written at once on a kept-alive connection: %s", strerror(errno));
        close_conn(r, c, slot);
        reopen(r, c, slot);
    }
}

/* A keep-alive connection is free: it takes the oldest waiting request, or goes idle. */
static void keep_alive_free(run_state *r, uint32_t slot, int64_t now) {
    while (r->queue_count > 0) {
        int64_t due;
        uint64_t index;
        queue_pop(r, &due, &index);
        if (now - due > r->cfg.timeout_ns) {
            note_error(r, index, "no connection free within the timeout");
            continue;
        }
        keep_alive_send(r, slot, due, index);
        return;
    }
    r->conns[slot]->state = C_IDLE;
    r->idle[r->idle_count++] = slot;
}

static void start_request(run_state *r, int64_t due, uint64_t index) {
    if (r->cfg.keep_alive) {
        if (r->idle_count == 0) {
            queue_push(r, due, index);
            return;
        }
        keep_alive_send(r, r->idle[--r->idle_count], due, index);
        return;
    }
    uint32_t slot;
    if (r->free_count > 0) {
        slot = r->free_slots[--r->free_count];
    } else {
        if (r->conns_used == r->conns_capacity) {
            size_t cap = r->conns_capacity * 2;
            r->conns = realloc(r->conns, cap * sizeof *r->conns);
            r->free_slots = realloc(r->free_slots, cap * sizeof *r->free_slots);
            if (r->conns == NULL || r->free_slots == NULL) fatal("realloc");
            r->conns_capacity = cap;
        }
        slot = (uint32_t)r->conns_used++;
        r->conns[slot] = calloc(1, sizeof(conn));
        if (r->conns[slot] == NULL) fatal("calloc");
        r->conns[slot]->fd = -1;
    }
    conn *c = r->conns[slot];
    c->due = due;
    c->index = index;
    if (open_conn(r, c, slot) < 0) {
        note_error(r, index, "connect: %s", strerror(errno));
        r->free_slots[r->free_count++] = slot;
    }
}

/* Sends every request due by now. */
static void dispatch_due(run_state *r, int64_t now) {
    uint64_t total = total_of(r);
    while (r->scheduled < total) {
        int64_t due = due_of(r, r->scheduled);
        if (due > now) break;
        if (r->scheduled >= r->cfg.warmup) hist_record(&r->gen_lag, now - due);
        start_request(r, due, r->scheduled);
        r->scheduled++;
    }
}

/* A complete answer arrived on c. */
static void answered(run_state *r, conn *c, uint32_t slot, int64_t now) {
    r->finished++;
    if (c->index >= r->cfg.warmup) {
        /* A stamp outside [due, now] would mean the clocks moved apart: then the time read is used. */
        if (c->arrived > now) now = now_ns(); /* it arrived while this tick's events were being handled */
        int stamped = c->arrived >= c->due && c->arrived <= now;
        int64_t at = stamped ? c->arrived : now;
        if (!stamped) r->unstamped++;
        r->answered++;
        hist_record(&r->latency, at - c->due);
        r->last_answer = at;
    }
    if (!r->cfg.keep_alive) {
        close_conn(r, c, slot);
    } else if (c->head.closes) {
        /* The server ends this connection: open another in its place (it takes waiting requests
         * once connected). */
        close_conn(r, c, slot);
        reopen(r, c, slot);
    } else {
        keep_alive_free(r, slot, now);
    }
}

static void failed(run_state *r, conn *c, uint32_t slot, const char *why) {
    int in_flight = c->state == C_BUSY || (!r->cfg.keep_alive && c->state != C_CLOSED);
    if (in_flight) note_error(r, c->index, "%s", why);
    close_conn(r, c, slot);
    if (r->cfg.keep_alive) reopen(r, c, slot);
}

/* Checks the bytes read so far; 1 when c's answer is complete, 0 when more are needed, -1 (with *why)
 * when it is bad. eof: the server closed the connection. */
static int check_answer(run_state *r, conn *c, int eof, const char **why) {
    static char text[300];
    if (!c->head_done) {
        int res = parse_head(c->buf, c->have, &c->head, why);
        if (res == HEAD_BAD) return -1;
        if (res == HEAD_INCOMPLETE) {
            if (eof) { *why = "closed before a complete answer"; return -1; }
            if (c->have == sizeof c->buf) { *why = "answer head over 4096 bytes"; return -1; }
            return 0;
        }
        c->head_done = 1;
        if (c->head.status != r->cfg.expect || (c->head.status / 100 == 3 && !c->head.has_location)) {
            size_t n = c->head.head_length < 200 ? c->head.head_length : 200;
            size_t k = 0;
            for (size_t i = 0; i < n && k + 3 < sizeof text; i++) {
                if (c->buf[i] == '\r') continue;
                if (c->buf[i] == '\n') { text[k++] = ' '; text[k++] = '|'; text[k++] = ' '; }
                else text[k++] = c->buf[i];
            }
            text[k] = '\0';
            *why = text;
            snprintf(text + k, sizeof text - k, "%s", c->head.has_location || c->head.status / 100 != 3 ? "" : " (no Location)");
            return -1;
        }
        if (c->head.chunked) { *why = "chunked answers are not supported"; return -1; }
        if (c->head.content_length >= 0) {
            c->body_left = c->head.content_length;
        } else if (c->head.status / 100 == 1 || c->head.status == 204 || c->head.status == 304) {
            c->body_left = 0;
        } else if (!r->cfg.keep_alive) {
            c->body_left = -1;
        } else {
            *why = "no Content-Length on a kept-alive connection";
            return -1;
        }
        size_t body_bytes = c->have - c->head.head_length;
        c->have = 0;
        if (c->body_left < 0) return eof ? 1 : 0;
        if ((long)body_bytes > c->body_left) { *why = "more bytes than one answer"; return -1; }
        c->body_left -= (long)body_bytes;
    }
    if (c->body_left < 0) return eof ? 1 : 0;
    if (c->body_left == 0) return 1;
    if (eof) { *why = "closed before the whole body"; return -1; }
    return 0;
}

/* read(2) that also keeps, in c->arrived, when the kernel queued the bytes for this socket (on
 * loopback: when the server sent them), on the monotonic clock. So an answer's latency does not
 * depend on when the generator gets round to reading it. */
static ssize_t receive(run_state *r, conn *c, char *into, size_t length) {
    struct iovec iov = {.iov_base = into, .iov_len = length};
    union {
        char buf[CMSG_SPACE(sizeof(struct timespec))];
        struct cmsghdr align;
    } control;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
    ssize_t n = recvmsg(c->fd, &msg, 0);
    if (n > 0) {
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
            if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
                struct timespec ts;
                memcpy(&ts, CMSG_DATA(cm), sizeof ts);
                c->arrived = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec - r->realtime_offset;
            }
        }
    }
    return n;
}

static void on_event(run_state *r, uint64_t data, uint32_t events, int64_t now) {
    uint32_t slot = (uint32_t)data;
    if (slot >= r->conns_used) return;
    conn *c = r->conns[slot];
    if (c->generation != (uint32_t)(data >> 32) || c->state == C_CLOSED) return; /* stale */
    if (!c->sent && c->state != C_IDLE) {
        if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
            errno = err;
            failed(r, c, slot, strerror(err));
            return;
        }
        if (r->cfg.keep_alive) {
            c->sent = 1; /* a kept-alive connection (re)opened: it has no request of its own yet */
            keep_alive_free(r, slot, now);
            return;
        }
        c->state = C_BUSY;
        int res = send_request(r, c);
        if (res < 0) failed(r, c, slot, "request not written at once");
        if (res != 0) return;
    }
    if (!(events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) return;
    for (;;) {
        char drain[4096];
        ssize_t n = receive(r, c, c->head_done ? drain : c->buf + c->have,
                            c->head_done ? sizeof drain : sizeof c->buf - c->have);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            failed(r, c, slot, strerror(errno));
            return;
        }
        if (c->state == C_IDLE) {
            /* An idle kept-alive connection: the server closed it (reopen) or sent bytes unasked. */
            if (n > 0) note_error(r, NO_REQUEST, "bytes on an idle connection");
            for (size_t i = 0; i < r->idle_count; i++) {
                if (r->idle[i] == slot) { r->idle[i] = r->idle[--r->idle_count]; break; }
            }
            close_conn(r, c, slot);
            reopen(r, c, slot);
            return;
        }
        const char *why = NULL;
        int res;
        if (n == 0) {
            res = check_answer(r, c, 1, &why);
        } else if (c->head_done) {
            if (c->body_left >= 0 && n > c->body_left) { failed(r, c, slot, "more bytes than one answer"); return; }
            if (c->body_left >= 0) c->body_left -= n;
            res = check_answer(r, c, 0, &why);
        } else {
            c->have += (size_t)n;
            res = check_answer(r, c, 0, &why);
        }
        if (res < 0) { failed(r, c, slot, why); return; }
        if (res > 0) {
            answered(r, c, slot, now);
            return;
        }
        if (n == 0) return; /* unreachable: eof gives 1 or -1 */
    }
}

/* Fails the requests in flight or waiting for longer than the timeout. */
static void sweep_timeouts(run_state *r, int64_t now) {
    for (size_t i = 0; i < r->conns_used; i++) {
        conn *c = r->conns[i];
        int in_flight = r->cfg.keep_alive ? c->state == C_BUSY : c->state != C_CLOSED;
        if (in_flight && now - c->due > r->cfg.timeout_ns) failed(r, c, (uint32_t)i, "no answer within the timeout");
    }
    while (r->queue_count > 0 && now - r->queue_due[r->queue_head] > r->cfg.timeout_ns) {
        int64_t due;
        uint64_t index;
        queue_pop(r, &due, &index);
        note_error(r, index, "no connection free within the timeout");
    }
}

/* Handles every I/O event there is, waiting up to wait_millis for the first; returns the time read
 * after the last wait. */
static int64_t drain_events(run_state *r, struct epoll_event *evs, int size, int wait_millis) {
    for (;;) {
        int n = epoll_wait(r->epoll_fd, evs, size, wait_millis);
        wait_millis = 0;
        if (n < 0) {
            if (errno == EINTR) continue;
            fatal("epoll_wait");
        }
        int64_t now = now_ns();
        for (int i = 0; i < n; i++) on_event(r, evs[i].data.u64, evs[i].events, now);
        if (n < size) return now;
    }
}

static int run(const config *cfg) {
    static run_state state;
    run_state *r = &state;
    r->cfg = *cfg;
    r->request_length = (size_t)snprintf(r->request, sizeof r->request, "GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", cfg->path,
                                         cfg->target_text, cfg->keep_alive ? "" : "Connection: close\r\n");
    r->interval_ns = 1e9 / cfg->rate;
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
        nofile.rlim_cur = nofile.rlim_max;
        setrlimit(RLIMIT_NOFILE, &nofile);
    }
    /* The kernel turns receive timestamps on for everyone a moment after the first socket asks (a
     * deferred switch): ask now, with a socket kept to the end, so the first answers are stamped too. */
    int stamp_switch = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), on = 1;
    if (stamp_switch < 0 || setsockopt(stamp_switch, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) < 0) fatal("SO_TIMESTAMPNS");
    r->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    r->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC); /* blocking: the loop sleeps in its read */
    if (r->epoll_fd < 0 || r->timer_fd < 0) fatal("epoll/timerfd");
    struct timespec real;
    int64_t before = now_ns();
    clock_gettime(CLOCK_REALTIME, &real);
    r->realtime_offset = (int64_t)real.tv_sec * 1000000000LL + real.tv_nsec - (before + now_ns()) / 2;

    r->conns_capacity = cfg->keep_alive ? (size_t)cfg->connections : 1024;
    r->conns = calloc(r->conns_capacity, sizeof *r->conns);
    r->free_slots = calloc(r->conns_capacity, sizeof *r->free_slots);
    r->idle = calloc(r->conns_capacity, sizeof *r->idle);
    if (r->conns == NULL || r->free_slots == NULL || r->idle == NULL) fatal("calloc");
    if (cfg->keep_alive) {
        /* Connect all before the schedule starts (connects are not what keep-alive measures). */
        for (int i = 0; i < cfg->connections; i++) {
            conn *c = calloc(1, sizeof(conn));
            if (c == NULL) fatal("calloc");
            c->fd = -1;
            r->conns[i] = c;
            r->conns_used++;
            if (open_conn(r, c, (uint32_t)i) < 0) fatal("connect");
        }
        int64_t deadline = now_ns() + 5000000000LL;
        while (r->idle_count < (size_t)cfg->connections) {
            struct epoll_event evs[256];
            int n = epoll_wait(r->epoll_fd, evs, 256, 100);
            for (int i = 0; i < n; i++) {
                on_event(r, evs[i].data.u64, evs[i].events, now_ns());
            }
            if (now_ns() > deadline) {
                fprintf(stderr, "openloop: only %zu of %d connections to %s:%d within 5 s\n", r->idle_count, cfg->connections,
                        cfg->target_text, ntohs(cfg->target.sin_port));
                return 1;
            }
        }
        if (r->errors + r->warmup_errors > 0) {
            fprintf(stderr, "openloop: connections to %s:%d failed\n", cfg->target_text, ntohs(cfg->target.sin_port));
            return 1;
        }
        r->finished = 0;
    }

    uint64_t total = total_of(r);
    r->t0 = now_ns() + 10000000; /* the schedule starts 10 ms from now */
    r->interval_first_due = due_of(r, cfg->warmup);
    int64_t hard_stop = due_of(r, total - 1) + cfg->timeout_ns + 1000000000LL;
    int64_t last_sweep = r->t0;
    /* The loop runs once per tick: it sends what is due, then takes every I/O event there is
     * (epoll_wait without waiting), then sleeps until the next tick. Never woken by single answers,
     * it costs the same few wake-ups at any rate; answers are timed by the kernel's receive
     * timestamps, so polling once per tick does not make them look later than they were. */
    struct itimerspec ticks = {.it_interval = {.tv_sec = cfg->tick_ns / 1000000000LL, .tv_nsec = cfg->tick_ns % 1000000000LL},
                               .it_value = {.tv_sec = r->t0 / 1000000000LL, .tv_nsec = r->t0 % 1000000000LL}};
    if (timerfd_settime(r->timer_fd, TFD_TIMER_ABSTIME, &ticks, NULL) < 0) fatal("timerfd_settime");
    struct epoll_event evs[512];
    while (r->finished < total) {
        /* Answers first, so the connections they free can carry this tick's requests. */
        if (r->queue_count == 0) {
            uint64_t expirations;
            if (read(r->timer_fd, &expirations, sizeof expirations) < 0) {
                if (errno == EINTR) continue;
                fatal("timerfd read");
            }
            r->ticks++;
            drain_events(r, evs, 512, 0);
        } else {
            /* Behind: requests wait for connections. Then the loop waits for the next answer, not
             * the next tick, so every connection turns round as soon as its answer is in (as a
             * closed loop would) until the backlog is gone; else the backlog after a stall could
             * drain at only one request per connection per tick. */
            r->backlog_waits++;
            drain_events(r, evs, 512, 1);
        }
        int64_t now = now_ns();
        uint64_t before = r->scheduled;
        dispatch_due(r, now);
        /* New connections: on loopback a connect is usually done at once, so send on them now. */
        if (!r->cfg.keep_alive && r->scheduled != before) now = drain_events(r, evs, 512, 0);
        if (now - last_sweep > 10000000LL) {
            last_sweep = now;
            sweep_timeouts(r, now);
            if (now > hard_stop) break;
        }
    }
    int64_t end = now_ns();
    /* Whatever is still out at the hard stop never got an answer. */
    for (size_t i = 0; i < r->conns_used; i++) {
        conn *c = r->conns[i];
        int in_flight = cfg->keep_alive ? c->state == C_BUSY : c->state != C_CLOSED;
        if (in_flight) note_error(r, c->index, "no answer within the timeout");
        if (c->fd >= 0) close(c->fd);
    }
    while (r->queue_count > 0) {
        int64_t due;
        uint64_t index;
        queue_pop(r, &due, &index);
        note_error(r, index, "no connection free within the timeout");
    }
    int64_t span_end = r->last_answer > r->interval_first_due ? r->last_answer : end;
    double seconds = (double)(span_end - r->interval_first_due) / 1e9;
    printf("requests=%" PRIu64 " errors=%" PRIu64 " rate=%.0f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f"
           " gen_lag_p99_ms=%.3f gen_lag_max_ms=%.3f scheduled=%" PRIu64 " queued_max=%zu warmup_errors=%" PRIu64
           " ticks=%" PRIu64 " backlog_waits=%" PRIu64 " unstamped=%" PRIu64 " reconnects=%" PRIu64 "\n",
           r->answered, r->errors, seconds > 0 ? (double)r->answered / seconds : 0.0,
           hist_percentile(&r->latency, 50) / 1e6, hist_percentile(&r->latency, 90) / 1e6,
           hist_percentile(&r->latency, 99) / 1e6, hist_percentile(&r->latency, 99.9) / 1e6, r->latency.max / 1e6,
           hist_percentile(&r->gen_lag, 99) / 1e6, r->gen_lag.max / 1e6, cfg->count, r->queue_max, r->warmup_errors,
           r->ticks, r->backlog_waits, r->unstamped, r->reconnects);
    fflush(stdout);
    return 0;
}

/* ---------- self-test: the parser and the histogram, without a network ---------- */

static int checks, failures;

static void expect_true(int ok, const char *what) {
    checks++;
    if (!ok) {
        failures++;
        fprintf(stderr, "self-test FAILED: %s\n", what);
    }
}

static int self_test(void) {
    response_head h;
    const char *why = "";
    const char *nginx = "HTTP/1.1 307 Temporary Redirect\r\nServer: nginx\r\nContent-Type: text/html\r\n"
                        "Content-Length: 164\r\nConnection: keep-alive\r\nLocation: http://127.0.0.11:9001/h0/chat?room=1\r\n\r\n<html>";
    expect_true(parse_head(nginx, strlen(nginx), &h, &why) == HEAD_OK, "nginx head parses");
    expect_true(h.status == 307 && h.content_length == 164 && h.has_location && !h.chunked, "nginx: 307, 164 bytes, Location");
    expect_true(h.head_length == strlen(nginx) - 6, "nginx: head length stops at the blank line");
    const char *closing = "HTTP/1.1 307 T\r\nLocation: /x\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n";
    expect_true(parse_head(closing, strlen(closing), &h, &why) == HEAD_OK && h.closes, "Connection: close is seen");
    expect_true(parse_head(nginx, strlen(nginx), &h, &why) == HEAD_OK && !h.closes, "Connection: keep-alive is not a close");
    const char *bare = "HTTP/1.1 307\r\ncontent-length:0\r\nLOCATION:ws://h/x\r\n\r\n";
    expect_true(parse_head(bare, strlen(bare), &h, &why) == HEAD_OK && h.status == 307 && h.content_length == 0 && h.has_location,
                "no reason phrase, lower/upper-case names without spaces");
    const char *nolen = "HTTP/1.0 307 Temporary Redirect\r\nLocation: /x\r\n\r\n";
    expect_true(parse_head(nolen, strlen(nolen), &h, &why) == HEAD_OK && h.content_length == -1, "no Content-Length: -1");
    const char *emptyloc = "HTTP/1.1 307 T\r\nLocation:\r\nContent-Length: 0\r\n\r\n";
    expect_true(parse_head(emptyloc, strlen(emptyloc), &h, &why) == HEAD_OK && !h.has_location, "an empty Location is none");
    expect_true(parse_head(nginx, 40, &h, &why) == HEAD_INCOMPLETE, "a cut head is incomplete");
    const char *split = "HTTP/1.1 307 T\r\nLocation: /x\r\n\r";
    expect_true(parse_head(split, strlen(split), &h, &why) == HEAD_INCOMPLETE, "a head cut inside its blank line is incomplete");
    const char *chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    expect_true(parse_head(chunked, strlen(chunked), &h, &why) == HEAD_OK && h.chunked && h.status == 200, "chunked seen");
    const char *bad[] = {"HTTP/2 307 X\r\n\r\n", "HTTP/1.1 3077 X\r\n\r\n", "HTTX/1.1 307 X\r\n\r\n", "HTTP/1.1 30 X\r\n\r\n",
                         "HTTP/1.1 307 X\r\nContent-Length: 1x\r\n\r\n", "HTTP/1.1 307 X\r\nContent-Length: -1\r\n\r\n",
                         "HTTP/1.1 307 X\r\nContent-Length:\r\n\r\n",
                         "HTTP/1.1 307 X\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                         "HTTP/1.1 307 X\r\nContent-Length: 99999999999999\r\n\r\n", "\r\n\r\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char what[160];
        snprintf(what, sizeof what, "bad head %zu is refused", i);
        expect_true(parse_head(bad[i], strlen(bad[i]), &h, &why) == HEAD_BAD, what);
    }
    const char *named = "HTTP/1.1 307 X\r\nX-Content-Length: 5\r\nContent-Lengthy: 9\r\n\r\n";
    expect_true(parse_head(named, strlen(named), &h, &why) == HEAD_OK && h.content_length == -1,
                "only a header named exactly Content-Length counts");

    /* The histogram: buckets are contiguous, and a value's bucket holds it within 1/128. */
    int contiguous = 1, bounded = 1;
    for (int i = 1; i < HIST_BUCKETS; i++) {
        if (hist_index(hist_upper(i - 1) + 1) != i || hist_index(hist_upper(i)) != i) contiguous = 0;
    }
    for (int64_t v = 1; v < (1LL << 39); v = v * 3 / 2 + 7) {
        int64_t up = hist_upper(hist_index(v));
        if (up < v || (double)(up - v) > (double)v / SUB_COUNT + 1) bounded = 0;
    }
    expect_true(contiguous, "histogram buckets are contiguous");
    expect_true(bounded, "a bucket's upper bound is within 1/128 above the value");
    static histogram hist;
    for (int64_t v = 1; v <= 1000; v++) hist_record(&hist, v * 1000); /* 1..1000 us */
    int64_t p50 = hist_percentile(&hist, 50), p99 = hist_percentile(&hist, 99), p100 = hist_percentile(&hist, 100);
    expect_true(p50 >= 500000 && p50 <= 500000 + 500000 / SUB_COUNT, "p50 of 1..1000 us is 500 us (+1/128)");
    expect_true(p99 >= 990000 && p99 <= 990000 + 990000 / SUB_COUNT, "p99 of 1..1000 us is 990 us (+1/128)");
    expect_true(p100 == 1000000 && hist.max == 1000000, "p100 is the exact maximum");
    static histogram empty;
    expect_true(hist_percentile(&empty, 99) == 0, "an empty histogram reads 0");
    hist_record(&empty, (int64_t)1 << 50);
    expect_true(hist_index((int64_t)1 << 50) == HIST_BUCKETS - 1 && hist_percentile(&empty, 50) == (int64_t)1 << 50,
                "a huge value lands in the last bucket and is reported exactly as the maximum");
    if (failures == 0) printf("self-test: %d checks passed\n", checks);
    return failures == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc == 2 && !strcmp(argv[1], "--self-test")) return self_test();
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        puts("openloop: an open-loop HTTP/1.1 load generator (latency counted from when each request was due)\n"
             "usage: openloop --target 127.0.0.1:PORT --rate R (--seconds S | --count N) [--mode keep-alive|close]\n"
             "         [--connections 50] [--path /chat?room=1] [--expect 307] [--timeout-millis 5000]\n"
             "         [--warmup N] [--tick-us 100]\n"
             "       openloop --self-test\n"
             "prints: requests= errors= rate= p50_ms= p90_ms= p99_ms= p999_ms= max_ms= gen_lag_p99_ms= gen_lag_max_ms=\n"
             "        scheduled= queued_max= warmup_errors= ticks= backlog_waits= unstamped= reconnects=");
        return 0;
    }
    config cfg;
    parse_args(&cfg, argc, argv);
    return run(&cfg);
}
