/*
 * The run timeline (RMM_CFG_TIMELINE) and its Chrome/Perfetto trace-event
 * JSON: one track (thread) per CPU, RMI calls and REC runs as slices, host
 * accesses as slices, invalidations, cache maintenance and findings as
 * instant events with their arguments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rmi_table.h"
#include "diag/timeline.h"

#define TL_PER_CPU 8192u

int tl_alloc(struct rmm *rmm)
{
	for (unsigned int i = 0; i < rmm->cfg.ncpus; i++) {
		rmm->cpus[i].tl = calloc(TL_PER_CPU, sizeof(struct tl_event));
		if (!rmm->cpus[i].tl)
			return RMM_ENOMEM;
	}
	/* never 0, so that tl_on() holds from now on */
	rmm->tl_base = rmm->hal->counter(rmm->hal_h) | 1;
	return RMM_OK;
}

void tl_free(struct rmm *rmm)
{
	for (unsigned int i = 0; i < rmm->cfg.ncpus; i++)
		free(rmm->cpus[i].tl);
}

uint64_t tl_now(struct rmm *rmm)
{
	uint64_t t = rmm->hal->counter(rmm->hal_h);

	return t > rmm->tl_base ? t - rmm->tl_base : 0;
}

void tl_add(struct rmm *rmm, unsigned int cpu, const struct tl_event *e)
{
	struct rmm_cpu *pc = &rmm->cpus[cpu];

	if (!tl_on(rmm) || !pc->tl)
		return;
	pc->tl[pc->tl_head % TL_PER_CPU] = *e;
	pc->tl_head++;
}

void tl_instant(struct rmm *rmm, unsigned int cpu, enum tl_kind kind, uint64_t a, uint64_t b,
		uint64_t c, uint64_t d)
{
	struct tl_event e = { .kind = (uint8_t)kind, .a = a, .b = b, .c = c, .d = d };

	if (!tl_on(rmm))
		return;
	e.t0 = e.t1 = tl_now(rmm);
	tl_add(rmm, cpu, &e);
}

/* Output with a buffer: every write goes through emit() in chunks. */
struct jw {
	int (*emit)(void *ctx, const void *buf, size_t len);
	void *ctx;
	char buf[4096];
	size_t off;
	int rc;
};

static void jw_flush(struct jw *w)
{
	if (w->off && !w->rc)
		w->rc = w->emit(w->ctx, w->buf, w->off);
	w->off = 0;
}

static void jw_put(struct jw *w, const char *s, size_t n)
{
	while (n && !w->rc) {
		size_t k = sizeof(w->buf) - w->off;

		if (k > n)
			k = n;
		memcpy(w->buf + w->off, s, k);
		w->off += k;
		s += k;
		n -= k;
		if (w->off == sizeof(w->buf))
			jw_flush(w);
	}
}

static void jw_puts(struct jw *w, const char *s)
{
	jw_put(w, s, strlen(s));
}

static void jw_printf(struct jw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void jw_printf(struct jw *w, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		jw_put(w, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* A JSON string with quotes and escapes. */
static void jw_str(struct jw *w, const char *s)
{
	jw_put(w, "\"", 1);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\') {
			char e[2] = { '\\', (char)ch };

			jw_put(w, e, 2);
		} else if (ch < 0x20) {
			jw_printf(w, "\\u%04x", ch);
		} else {
			jw_put(w, s, 1);
		}
	}
	jw_put(w, "\"", 1);
}

static const char *scope(unsigned int faults, unsigned int drop, unsigned int local)
{
	return (faults & drop) ? "dropped (fault injection)"
	       : (faults & local) ? "local to the issuing CPU (fault injection)" : "broadcast";
}

static void ev_begin(struct jw *w, bool *first, const char *ph, unsigned int cpu,
		     const struct tl_event *e)
{
	jw_printf(w, "%s\n{\"ph\":\"%s\",\"pid\":1,\"tid\":%u,\"ts\":%llu.%03llu", *first ? "" : ",",
		  ph, cpu, (unsigned long long)(e->t0 / 1000), (unsigned long long)(e->t0 % 1000));
	if (ph[0] == 'X') {
		uint64_t d = e->t1 > e->t0 ? e->t1 - e->t0 : 0;

		jw_printf(w, ",\"dur\":%llu.%03llu", (unsigned long long)(d / 1000),
			  (unsigned long long)(d % 1000));
	} else {
		jw_puts(w, ",\"s\":\"t\"");
	}
	*first = false;
}

static void write_event(struct rmm *rmm, struct jw *w, bool *first, unsigned int cpu,
			const struct tl_event *e)
{
	static const char *const reasons[] = { "SYNC", "IRQ", "FIQ", "PSCI", "RIPAS_CHANGE",
					       "HOST_CALL", "SERROR" };
	const struct rmi_cmd *cmd;

	switch (e->kind) {
	case TL_RMI:
		cmd = rmi_cmd_find(e->fnum);
		ev_begin(w, first, "X", cpu, e);
		jw_printf(w, ",\"cat\":\"rmi\",\"name\":\"%s\",\"args\":{\"x1\":\"0x%llx\","
			     "\"status\":\"0x%llx\"}}", cmd ? cmd->name : "?",
			  (unsigned long long)e->a, (unsigned long long)e->b);
		break;
	case TL_REC_RUN:
		ev_begin(w, first, "X", cpu, e);
		jw_printf(w, ",\"cat\":\"rec\",\"name\":\"REC run\",\"args\":{\"rec\":\"0x%llx\","
			     "\"exit\":\"%s\",\"esr\":\"0x%llx\",\"hpfar\":\"0x%llx\"}}",
			  (unsigned long long)e->a, e->b <= 6 ? reasons[e->b] : "?",
			  (unsigned long long)e->c, (unsigned long long)e->d);
		break;
	case TL_HOST:
		ev_begin(w, first, "X", cpu, e);
		jw_printf(w, ",\"cat\":\"host\",\"name\":\"host %s\",\"args\":{\"pa\":\"0x%llx\","
			     "\"len\":%llu}}", e->c ? "write" : "read", (unsigned long long)e->a,
			  (unsigned long long)e->b);
		break;
	case TL_TLBI:
		ev_begin(w, first, "i", cpu, e);
		jw_printf(w, ",\"cat\":\"tlbi\",\"name\":\"TLBI %s\",\"args\":{\"vmid\":%llu,"
			     "\"ipa\":\"0x%llx\",\"size\":\"0x%llx\",\"reach\":\"%s\"}}",
			  e->b ? "IPA" : "VMID", (unsigned long long)e->c, (unsigned long long)e->a,
			  (unsigned long long)e->b,
			  scope((unsigned int)e->d, RMM_FAULT_TLBI_DROP, RMM_FAULT_TLBI_LOCAL));
		break;
	case TL_GPT:
		ev_begin(w, first, "i", cpu, e);
		jw_printf(w, ",\"cat\":\"gpt\",\"name\":\"GPT %s + invalidation\",\"args\":{"
			     "\"pa\":\"0x%llx\",\"reach\":\"%s\"}}", e->b ? "-> Realm" : "-> NS",
			  (unsigned long long)e->a,
			  scope((unsigned int)e->d, RMM_FAULT_GPTI_DROP, RMM_FAULT_GPTI_LOCAL));
		break;
	case TL_CMO:
		ev_begin(w, first, "i", cpu, e);
		jw_printf(w, ",\"cat\":\"cmo\",\"name\":\"DC CIPAPA\",\"args\":{\"pa\":\"0x%llx\","
			     "\"size\":\"0x%llx\",\"reach\":\"%s\"}}", (unsigned long long)e->a,
			  (unsigned long long)e->b,
			  scope((unsigned int)e->d, RMM_FAULT_CMO_DROP, RMM_FAULT_CMO_LOCAL));
		break;
	case TL_FINDING:
		ev_begin(w, first, "i", cpu, e);
		jw_puts(w, ",\"cat\":\"finding\",\"name\":\"finding\",\"args\":{\"text\":");
		jw_str(w, e->a < RMM_MAX_FINDINGS ? rmm->findings[e->a].text : "(lost)");
		jw_puts(w, "}}");
		break;
	default:
		break;
	}
}

int rmm_timeline_save(struct rmm *rmm, int (*emit)(void *ctx, const void *buf, size_t len),
		      void *ctx)
{
	struct jw *w;
	bool first = true;
	int rc;

	if (!rmm || !emit || !tl_on(rmm))
		return RMM_EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return RMM_ENOMEM;
	w->emit = emit;
	w->ctx = ctx;
	jw_printf(w, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[");
	jw_printf(w, "\n{\"ph\":\"M\",\"pid\":1,\"name\":\"process_name\",\"args\":{\"name\":"
		     "\"librmm instance (%u CPUs)\"}}", rmm->cfg.ncpus);
	first = false;
	for (unsigned int cpu = 0; cpu < rmm->cfg.ncpus; cpu++) {
		const struct rmm_cpu *pc = &rmm->cpus[cpu];
		uint64_t head = pc->tl_head, from = head > TL_PER_CPU ? head - TL_PER_CPU : 0;

		jw_printf(w, ",\n{\"ph\":\"M\",\"pid\":1,\"tid\":%u,\"name\":\"thread_name\","
			     "\"args\":{\"name\":\"cpu%u\"}}", cpu, cpu);
		for (uint64_t i = from; i < head; i++)
			write_event(rmm, w, &first, cpu, &pc->tl[i % TL_PER_CPU]);
	}
	jw_printf(w, "\n]}\n");
	jw_flush(w);
	rc = w->rc;
	free(w);
	return rc;
}
