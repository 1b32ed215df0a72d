/* Shared helpers for the benchmarks: a monotonic clock and a figure printer. */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stdio.h>
#include <stdint.h>
#include <time.h>

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of the calling thread (user + system): for single-threaded
 * figures on a machine other processes share, where wall time would count
 * their time too. */
static inline double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One line: what, the figure, and the physical limit measured in the same run. */
static inline void figure(const char *what, double ns, const char *limit_what, double limit_ns)
{
	printf("%-44s %10.0f ns   %-30s %10.0f ns   ratio %.2f\n", what, ns, limit_what, limit_ns,
	       limit_ns > 0 ? ns / limit_ns : 0.0);
}

#endif
