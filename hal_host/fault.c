/*
 * hal_host Granule Protection Faults.
 *
 * A SIGSEGV whose address lies in an instance's NS view is a GPF: either a
 * guarded copy armed on this thread (a host access: rmm_host_read/write;
 * the RMM's own NS copies never fault, see ns_copy in librmm/core/rmm.c)
 * catches it with siglongjmp, or it is reported
 * (PA, granule state, the commands that changed it) and handed on to the
 * previous handler (a sanitizer's, a fuzzer's, or the default core dump).
 * Any other SIGSEGV goes straight to the previous handler.
 *
 * Signals are process-wide, so this is the one piece of global state in the
 * library: a registry of live instances, read lock-free by the handler.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hal_host_int.h"

#define HH_MAX_INSTANCES 256

static struct hal_host *_Atomic hh_registry[HH_MAX_INSTANCES];
static struct sigaction hh_prev_segv;

struct hh_catch {
	sigjmp_buf env;
};
static __thread struct hh_catch *volatile hh_tls_catch;

void hh_fault_register(struct hal_host *h)
{
	for (unsigned i = 0; i < HH_MAX_INSTANCES; i++) {
		struct hal_host *expect = NULL;

		if (atomic_compare_exchange_strong(&hh_registry[i], &expect, h))
			return;
	}
	hh_log(h, RMM_LOG_WARN, "too many instances for GPF reports; faults are caught but not explained");
}

void hh_fault_unregister(struct hal_host *h)
{
	for (unsigned i = 0; i < HH_MAX_INSTANCES; i++) {
		struct hal_host *expect = h;

		if (atomic_compare_exchange_strong(&hh_registry[i], &expect, NULL))
			return;
	}
}

static struct hal_host *hh_find(uintptr_t a)
{
	for (unsigned i = 0; i < HH_MAX_INSTANCES; i++) {
		struct hal_host *h = atomic_load(&hh_registry[i]);

		if (h && a >= (uintptr_t)h->ns_view && a - (uintptr_t)h->ns_view < h->size)
			return h;
	}
	return NULL;
}

static void hh_chain(int sig, siginfo_t *si, void *uc)
{
	if (hh_prev_segv.sa_flags & SA_SIGINFO) {
		if (hh_prev_segv.sa_sigaction) {
			hh_prev_segv.sa_sigaction(sig, si, uc);
			return;
		}
	} else if (hh_prev_segv.sa_handler != SIG_DFL && hh_prev_segv.sa_handler != SIG_IGN) {
		hh_prev_segv.sa_handler(sig);
		return;
	}
	/* Default action: return and re-fault with the default disposition. */
	signal(sig, SIG_DFL);
}

static void hh_segv(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr;
	struct hal_host *h = hh_find(a);
	struct hh_catch *c = hh_tls_catch;

	if (h && c) {
		sigset_t segv;

		hh_tls_catch = NULL;
		/* Jumping out of the handler skips the kernel's mask restore. We
		 * asked for SA_NODEFER, but a runtime that wraps handlers (TSan)
		 * may have registered without it, leaving SIGSEGV blocked and the
		 * next fault fatal: unblock it explicitly. */
		sigemptyset(&segv);
		sigaddset(&segv, SIGSEGV);
		pthread_sigmask(SIG_UNBLOCK, &segv, NULL);
		siglongjmp(c->env, 1);
	}
	if (h) {
		static char msg[1024];
		char why[768] = "";
		uint64_t pa = h->base + (a - (uintptr_t)h->ns_view);
		int n;

		if (h->plat.explain)
			h->plat.explain(h->plat.core, pa & ~0xfffull, why, sizeof(why));
		n = snprintf(msg, sizeof(msg),
			     "librmm: Granule Protection Fault: host access to PA 0x%llx "
			     "(NS view %p), which is not in the Non-secure PAS.\n  %s\n",
			     (unsigned long long)pa, (void *)a, why);
		if (n > 0 && write(2, msg, (size_t)n) < 0)
			n = 0;
	}
	hh_chain(sig, si, uc);
}

static pthread_mutex_t hh_install_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Make sure hh_segv is the installed SIGSEGV handler. Test harnesses
 * (CMocka installs its own around every test), sanitizers and fuzzers may
 * install theirs after us; whatever is installed becomes the handler we chain
 * to. We never record ourselves as the previous handler.
 */
static int hh_ensure_installed(void)
{
	struct sigaction cur, sa;
	int rc = 0;

	if (sigaction(SIGSEGV, NULL, &cur) != 0)
		return -1;
	if ((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == hh_segv)
		return 0;
	pthread_mutex_lock(&hh_install_lock);
	if (sigaction(SIGSEGV, NULL, &cur) == 0 &&
	    !((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == hh_segv)) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = hh_segv;
		sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
		sigemptyset(&sa.sa_mask);
		hh_prev_segv = cur;
		rc = sigaction(SIGSEGV, &sa, NULL);
	}
	pthread_mutex_unlock(&hh_install_lock);
	return rc;
}

int hh_fault_init(void)
{
	return hh_ensure_installed();
}

/*
 * Copy to or from memory the other world may be writing at the same time
 * (NS memory shared with the host). The RMM takes one snapshot and validates
 * the copy, never the original, so such races are expected and harmless;
 * this copy is therefore not instrumented by ThreadSanitizer.
 */
__attribute__((no_sanitize("thread"))) static void hh_snapshot(void *dst, const void *src,
								size_t len)
{
	volatile uint8_t *d = dst;
	const volatile uint8_t *s = src;
	size_t i = 0;

	if ((((uintptr_t)dst | (uintptr_t)src) & 7) == 0)
		for (; i + 8 <= len; i += 8)
			*(volatile uint64_t *)(d + i) = *(const volatile uint64_t *)(s + i);
	for (; i < len; i++)
		d[i] = s[i];
}

/*
 * memcpy that turns a fault on the NS view into RMM_EGPF. SA_NODEFER keeps
 * SIGSEGV unblocked inside the handler, so jumping out without restoring the
 * signal mask is safe and costs no syscall.
 */
int hh_guarded_copy(void *dst, const void *src, size_t len)
{
	struct hh_catch c;

	if (hh_ensure_installed() != 0)
		return RMM_EGPF;
	if (sigsetjmp(c.env, 0)) {
		hh_tls_catch = NULL;
		return RMM_EGPF;
	}
	hh_tls_catch = &c;
	/* Compiler barriers keep the accesses inside the armed window. */
	__asm__ volatile("" ::: "memory");
	hh_snapshot(dst, src, len);
	__asm__ volatile("" ::: "memory");
	hh_tls_catch = NULL;
	return RMM_OK;
}
