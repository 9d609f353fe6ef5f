/*
 * bench_common.h - shared by ntlm-bench and the peer benchmarks (peer_gss.c,
 * peer_winpr.c): timing, the result line format, the message-size and
 * multi-threaded handshake runners, a malloc counter, RSS and bytes per
 * context, scratch account files, so that every program measures the same
 * way. Include it from exactly one .c file per program:
 * it defines malloc/calloc/realloc/free (interposed over glibc's).
 *
 * Result lines, one per measurement, parsed by bench/run:
 *   R <impl> <metric> <value> <unit>
 * Informational lines:
 *   I <impl> <key> <free text>
 */
#ifndef NTLM_BENCH_COMMON_H
#define NTLM_BENCH_COMMON_H

#include <errno.h>
#include <ftw.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------ options */

typedef struct bc_opts {
	int quick;        /* CI smoke test: tiny durations and counts */
	double secs;      /* target duration of one measurement */
	int threads;      /* threads for the multi-threaded handshake run (0: one per core) */
	long contexts;    /* established contexts for the memory measurement */
	const char *only; /* comma-separated sections, NULL: all */
} bc_opts;

static inline void bc_opts_init(bc_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->secs = 0.25;
	o->contexts = 10000;
}

/* Applies --quick: keeps every section, scaled down to milliseconds. */
static inline void bc_opts_quick(bc_opts *o)
{
	o->quick = 1;
	o->secs = 0.01;
	o->contexts = 500;
}

static inline int bc_section(const bc_opts *o, const char *name)
{
	if (!o->only)
		return 1;
	size_t n = strlen(name);
	for (const char *p = o->only; *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && strncmp(p, name, n) == 0)
			return 1;
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

static inline int bc_ncpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

/* ------------------------------------------------------------- output */

static const char *bc_impl = "?";

static inline void bc_result(const char *metric, double value, const char *unit)
{
	printf("R %s %s %.6g %s\n", bc_impl, metric, value, unit);
	fflush(stdout);
}

static inline void bc_info(const char *key, const char *fmt, ...)
{
	va_list ap;
	printf("I %s %s ", bc_impl, key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline _Noreturn void bc_die(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s-bench: ", bc_impl);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

/* ------------------------------------------------------------- timing */

static inline double bc_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * CPU time of the calling thread. Single-threaded measurements use it rather
 * than wall time: on a machine shared with other work a descheduled thread
 * would otherwise be charged for time it did not run, and every loop
 * measured here is CPU-bound in its own thread (file reads hit the page
 * cache and count as its system time). On an idle machine the two agree.
 * Multi-threaded and cross-process measurements use wall time.
 */
static inline double bc_cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Runs fn(arg, n) with growing n until one call lasts >= secs; returns ops per second. */
typedef void (*bc_fn)(void *arg, long n);

static inline double bc_rate_clock(double secs, bc_fn fn, void *arg, double (*clock)(void))
{
	long n = 1;
	fn(arg, 1); /* warm-up */
	for (;;) {
		double t0 = clock();
		fn(arg, n);
		double dt = clock() - t0;
		if (dt >= secs)
			return (double)n / dt;
		if (dt < secs / 64)
			n *= 16;
		else
			n = (long)((double)n * secs / dt * 1.05) + 1;
	}
}

/* Single-threaded, in this thread: thread CPU time. */
static inline double bc_rate(double secs, bc_fn fn, void *arg)
{
	return bc_rate_clock(secs, fn, arg, bc_cpu);
}

/* Involving other processes or threads: wall time. */
static inline double bc_rate_wall(double secs, bc_fn fn, void *arg)
{
	return bc_rate_clock(secs, fn, arg, bc_now);
}

/*
 * The batch shape used by every seal/sign loop: a ring of k messages of
 * `size` bytes; the sender's k operations are timed together, then the
 * receiver's k, until each side has run for at least secs.
 */
typedef struct bc_pair_result {
	double send_msgs, recv_msgs; /* messages per second */
} bc_pair_result;

typedef void (*bc_batch_fn)(void *arg, int k);

static inline bc_pair_result bc_pair_rate(double secs, bc_batch_fn send, bc_batch_fn recv,
                                          void *arg, int k)
{
	double ts = 0, tr = 0;
	long done = 0;
	send(arg, k); /* warm-up round */
	recv(arg, k);
	while (ts < secs || tr < secs) {
		double t0 = bc_cpu();
		send(arg, k);
		double t1 = bc_cpu();
		recv(arg, k);
		double t2 = bc_cpu();
		ts += t1 - t0;
		tr += t2 - t1;
		done += k;
	}
	bc_pair_result r = {(double)done / ts, (double)done / tr};
	return r;
}

/* Ring size for a message size: ~256 KiB of messages, at least 4. */
static inline int bc_ring(size_t size)
{
	size_t k = (256u * 1024u) / size;
	return k < 4 ? 4 : (int)k;
}

/*
 * Runs fn(o, arg, size, k, ring) for each message size every program
 * measures, with a ring of k messages of that size filled with the same
 * pattern, so that all of them seal the same bytes.
 */
typedef void (*bc_size_fn)(const bc_opts *o, void *arg, size_t size, int k, uint8_t *ring);

static inline void bc_each_size(const bc_opts *o, bc_size_fn fn, void *arg)
{
	static const size_t sizes[] = {64, 1024, 16384, 65536};
	for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
		size_t size = sizes[z];
		int k = bc_ring(size);
		uint8_t *ring = malloc((size_t)k * size);
		if (!ring)
			bc_die("out of memory");
		for (size_t i = 0; i < (size_t)k * size; i++)
			ring[i] = (uint8_t)(i * 13 + 1);
		fn(o, arg, size, k, ring);
		free(ring);
	}
}

/* The four result lines of one send/receive pair: <name>.<size> in MB/s and .msgs in msg/s. */
static inline void bc_report_pair(const char *send_name, const char *recv_name, size_t size,
                                  bc_pair_result r)
{
	char name[64];
	snprintf(name, sizeof(name), "%s.%zu", send_name, size);
	bc_result(name, r.send_msgs * (double)size / 1e6, "MB/s");
	snprintf(name, sizeof(name), "%s.%zu.msgs", send_name, size);
	bc_result(name, r.send_msgs, "msg/s");
	snprintf(name, sizeof(name), "%s.%zu", recv_name, size);
	bc_result(name, r.recv_msgs * (double)size / 1e6, "MB/s");
	snprintf(name, sizeof(name), "%s.%zu.msgs", recv_name, size);
	bc_result(name, r.recv_msgs, "msg/s");
}

/* ------------------------------------------------------ multi-threaded */

/*
 * One run per thread: `warm` calls of fn(arg, 1) each, a barrier so that all
 * threads start together, then fn(arg, batch) until secs of wall time.
 */
typedef struct bc_mt_plan {
	long warm, batch;
	int max; /* thread cap */
} bc_mt_plan;

typedef struct bc_mt_arg {
	bc_fn fn;
	void *arg;
	const bc_mt_plan *plan;
	pthread_barrier_t *start;
	double secs;
	long done;
	double elapsed;
} bc_mt_arg;

static inline void *bc_mt_thread(void *p)
{
	bc_mt_arg *a = p;
	a->fn(a->arg, a->plan->warm);
	pthread_barrier_wait(a->start);
	double t0 = bc_now(), t;
	long n = 0;
	do {
		a->fn(a->arg, a->plan->batch);
		n += a->plan->batch;
		t = bc_now();
	} while (t - t0 < a->secs);
	a->done = n;
	a->elapsed = t - t0;
	return NULL;
}

/* Sum over nthreads threads of each one's ops per second. */
static inline double bc_rate_threads(int nthreads, double secs, const bc_mt_plan *plan, bc_fn fn,
                                     void *arg)
{
	enum { MAX = 256 };
	pthread_t tid[MAX];
	bc_mt_arg args[MAX];
	pthread_barrier_t start;
	if (nthreads > plan->max)
		nthreads = plan->max;
	if (nthreads > MAX)
		nthreads = MAX;
	pthread_barrier_init(&start, NULL, (unsigned)nthreads);
	for (int i = 0; i < nthreads; i++) {
		args[i] = (bc_mt_arg){fn, arg, plan, &start, secs, 0, 0};
		if (pthread_create(&tid[i], NULL, bc_mt_thread, &args[i]) != 0)
			bc_die("pthread_create");
	}
	double rate = 0;
	for (int i = 0; i < nthreads; i++) {
		pthread_join(tid[i], NULL);
		rate += (double)args[i].done / args[i].elapsed;
	}
	pthread_barrier_destroy(&start);
	return rate;
}

/* The "threads" I-line and the hs.mt result: one thread per core unless --threads. */
static inline void bc_report_hs_mt(const bc_opts *o, const bc_mt_plan *plan, bc_fn hs_loop,
                                   void *arg)
{
	int n = o->threads > 0 ? o->threads : bc_ncpu();
	bc_info("threads", "%d", n);
	bc_result("hs.mt", bc_rate_threads(n, o->secs * 2, plan, hs_loop, arg), "hs/s");
}

/* ------------------------------------------------- malloc interposition */

/*
 * Every allocation of the process goes through these (the libraries' and
 * libc's own included), forwarded to glibc's allocator. Per-thread counters
 * keep the multi-threaded runs free of shared cache lines; byte tracking
 * (malloc_usable_size) is only on while bc_track_bytes is set.
 */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static _Thread_local unsigned long bc_allocs;
static _Thread_local long bc_live_bytes;
static int bc_track_bytes;

void *malloc(size_t n)
{
	void *p = __libc_malloc(n);
	bc_allocs++;
	if (bc_track_bytes && p)
		bc_live_bytes += (long)malloc_usable_size(p);
	return p;
}

void *calloc(size_t n, size_t size)
{
	void *p = __libc_calloc(n, size);
	bc_allocs++;
	if (bc_track_bytes && p)
		bc_live_bytes += (long)malloc_usable_size(p);
	return p;
}

void *realloc(void *old, size_t n)
{
	long before = (bc_track_bytes && old) ? (long)malloc_usable_size(old) : 0;
	void *p = __libc_realloc(old, n);
	bc_allocs++;
	if (bc_track_bytes && (p || !n))
		bc_live_bytes += (p ? (long)malloc_usable_size(p) : 0) - before;
	return p;
}

void free(void *p)
{
	if (bc_track_bytes && p)
		bc_live_bytes -= (long)malloc_usable_size(p);
	__libc_free(p);
}

/* --------------------------------------------------------------- memory */

/* Resident set size in bytes, from /proc/self/statm. */
static inline long bc_rss(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, res = 0;
	if (!f)
		return 0;
	if (fscanf(f, "%ld %ld", &size, &res) != 2)
		res = 0;
	fclose(f);
	return res * sysconf(_SC_PAGESIZE);
}

/* Returns the memory to the kernel as far as the allocator can, before an RSS reading. */
static inline void bc_settle(void)
{
	malloc_trim(0);
}

/* Allocations per call of fn(arg, 1), over r calls after one warm-up call. */
static inline double bc_allocs_per(bc_fn fn, void *arg, int r)
{
	fn(arg, 1);
	unsigned long b = bc_allocs;
	fn(arg, r);
	return (double)(bc_allocs - b) / r;
}

/*
 * Bytes per established context: hold(arg, slot) for each of the n slots of
 * keep (slot_size bytes each), each keeping one context there, then
 * drop(arg, slot) for each. keep is the caller's, allocated before: where it
 * sits in the heap shows in the RSS figure. Prints mem.<who>.rss (RSS delta)
 * and mem.<who>.heap (live heap delta).
 */
typedef void (*bc_slot_fn)(void *arg, void *slot);

static inline void bc_mem_per_ctx(const char *who, void *keep, long n, size_t slot_size,
                                  bc_slot_fn hold, bc_slot_fn drop, void *arg)
{
	char *slots = keep;
	bc_settle();
	long rss0 = bc_rss();
	bc_track_bytes = 1;
	long live0 = bc_live_bytes;
	for (long i = 0; i < n; i++)
		hold(arg, slots + (size_t)i * slot_size);
	long live1 = bc_live_bytes;
	bc_settle();
	long rss1 = bc_rss();
	char name[64];
	snprintf(name, sizeof(name), "mem.%s.rss", who);
	bc_result(name, (double)(rss1 - rss0) / (double)n, "B/ctx");
	snprintf(name, sizeof(name), "mem.%s.heap", who);
	bc_result(name, (double)(live1 - live0) / (double)n, "B/ctx");
	for (long i = 0; i < n; i++)
		drop(arg, slots + (size_t)i * slot_size);
	bc_track_bytes = 0;
}

/* ------------------------------------------------------- token checks */

static inline uint32_t bc_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * What an AUTHENTICATE message says about the handshake, so every program
 * can show that it ran the same one: its flags, whether its NTLMv2 blob sets
 * MsvAvFlags' MIC bit, and the NT response length. 0 if it is not one.
 */
typedef struct bc_auth_info {
	uint32_t flags;
	int ntlmv2, mic;
	size_t nt_len;
} bc_auth_info;

static inline int bc_describe_auth(const uint8_t *m, size_t n, bc_auth_info *out)
{
	memset(out, 0, sizeof(*out));
	if (n < 64 || memcmp(m, "NTLMSSP", 8) != 0 || bc_le32(m + 8) != 3)
		return 0;
	out->flags = bc_le32(m + 60);
	size_t len = (size_t)(m[20] | m[21] << 8), off = bc_le32(m + 24);
	out->nt_len = len;
	if (len <= 24 || off + len > n)
		return 1;
	out->ntlmv2 = 1;
	const uint8_t *p = m + off + 16 + 28, *end = m + off + len;
	while (p + 4 <= end) {
		unsigned id = (unsigned)(p[0] | p[1] << 8), l = (unsigned)(p[2] | p[3] << 8);
		if (id == 0 || p + 4 + l > end)
			break;
		if (id == 6 && l == 4)
			out->mic = (bc_le32(p + 4) & 2) != 0;
		p += 4 + l;
	}
	return 1;
}

/* When set, the program's handshake() reports the client's AUTHENTICATE (once). */
static int bc_describe_next;

/* The I-line every program prints once: "handshake flags=... NTLMv2 MIC ...". */
static inline void bc_report_auth(const uint8_t *m, size_t n)
{
	bc_auth_info a;
	if (!bc_describe_auth(m, n, &a)) {
		bc_info("handshake", "last client token is not an AUTHENTICATE");
		return;
	}
	bc_info("handshake",
	        "AUTHENTICATE flags=0x%08x %s ESS=%d KEY_EXCH=%d SEAL=%d SIGN=%d 128=%d MIC=%d",
	        a.flags, a.ntlmv2 ? "NTLMv2" : "NTLMv1/LM", !!(a.flags & 0x00080000u),
	        !!(a.flags & 0x40000000u), !!(a.flags & 0x20u), !!(a.flags & 0x10u),
	        !!(a.flags & 0x20000000u), a.mic);
}

/* ------------------------------------------------------------ scratch */

static char bc_dir[256];

static inline int bc_rm(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)type;
	(void)f;
	return remove(path);
}

static inline void bc_cleanup(void)
{
	if (bc_dir[0] && nftw(bc_dir, bc_rm, 8, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "could not remove %s\n", bc_dir);
}

/* A private scratch directory, removed at exit. */
static inline const char *bc_scratch(void)
{
	if (!bc_dir[0]) {
		snprintf(bc_dir, sizeof(bc_dir), "%s/ntlm-bench.XXXXXX",
		         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (!mkdtemp(bc_dir))
			bc_die("mkdtemp: %s", strerror(errno));
		atexit(bc_cleanup);
	}
	return bc_dir;
}

static inline void bc_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		bc_die("cannot write %s", path);
}

/* The account every benchmark authenticates (and the same password). */
#define BC_DOMAIN   "BENCH"
#define BC_USER     "benchuser"
#define BC_PASSWORD "Bench-Passw0rd!"
#define BC_SERVER   "BENCHSRV" /* the server's NetBIOS name; the target is HOST/BENCHSRV */

/* Common command line: --quick, --secs S, --threads N, --contexts N, --only a,b */
static inline int bc_parse_common(bc_opts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	if (strcmp(a, "--quick") == 0) {
		bc_opts_quick(o);
		return 1;
	}
	if (*i + 1 >= argc)
		return 0;
	if (strcmp(a, "--secs") == 0)
		o->secs = atof(argv[++*i]);
	else if (strcmp(a, "--threads") == 0)
		o->threads = atoi(argv[++*i]);
	else if (strcmp(a, "--contexts") == 0)
		o->contexts = atol(argv[++*i]);
	else if (strcmp(a, "--only") == 0)
		o->only = argv[++*i];
	else
		return 0;
	return 1;
}

/* ---------------------------------------------------------------- peers */

/* What a peer provides; bc_peer_sections() does the measuring around it. */
typedef struct bc_peer {
	bc_fn hs_loop;        /* n handshakes, contexts released */
	bc_size_fn seal_size; /* the message loops for one size */
	size_t slot_size;     /* one kept server context */
	bc_slot_fn hold;      /* handshake, keep the server context in the slot */
	bc_slot_fn drop;      /* release the slot's context */
} bc_peer;

/* A peer's command line: the common options only; anything else is a usage error. */
static inline void bc_peer_args(bc_opts *o, int argc, char **argv, const char *prog)
{
	bc_opts_init(o);
	for (int i = 1; i < argc; i++) {
		if (bc_parse_common(o, argc, argv, &i))
			continue;
		fprintf(stderr,
		        "usage: %s [--quick] [--secs S] [--threads N] [--contexts N] "
		        "[--only handshake,seal,memory]\n",
		        prog);
		exit(2);
	}
}

/*
 * What both peers measure, in ntlm-bench's order, as --only selects:
 * handshakes (the first one with bc_describe_next set), each message size,
 * allocations per handshake and bytes per server context.
 */
static inline void bc_peer_sections(const bc_opts *o, const bc_peer *p, void *env)
{
	static const bc_mt_plan plan = {5, 4, 64}; /* slower handshakes than ours: smaller batches */
	if (bc_section(o, "handshake")) {
		bc_describe_next = 1;
		p->hs_loop(env, 1);
		bc_result("hs.1t", bc_rate(o->secs * 2, p->hs_loop, env), "hs/s");
		bc_report_hs_mt(o, &plan, p->hs_loop, env);
	}
	if (bc_section(o, "seal"))
		bc_each_size(o, p->seal_size, env);
	if (bc_section(o, "memory")) {
		bc_result("alloc.hs", bc_allocs_per(p->hs_loop, env, 20), "allocs/hs");
		void *keep = calloc((size_t)o->contexts, p->slot_size);
		if (!keep)
			bc_die("out of memory");
		bc_mem_per_ctx("server", keep, o->contexts, p->slot_size, p->hold, p->drop, env);
		free(keep);
	}
}

#endif
