/*
 * An independent model of the RMI state for the differential harness:
 * granule states, realms (state, IPA width, starting level and RTTs, VMID)
 * and, per realm, which RTTs exist below the starting level and which IPAs
 * hold DATA. Each prediction reads the digest's failure conditions in order;
 * every ERROR_INPUT condition precedes the walk conditions (the orderings
 * the spec fixes, and the library's choice where it leaves one open).
 * Covers VERSION, FEATURES, GRANULE_(UN)DELEGATE, REALM_CREATE/ACTIVATE/
 * DESTROY, REC_AUX_COUNT, RTT_CREATE/DESTROY, DATA_CREATE_UNKNOWN,
 * DATA_DESTROY and RTT_READ_ENTRY.
 */
#ifndef RMI_MODEL_H
#define RMI_MODEL_H

#define M_NG (FZ_DRAM_SIZE / FZ_G)
#define M_MAXR 8
#define M_MAXT 512

enum { G_UNDEL, G_DEL, G_RD, G_REC, G_AUX, G_DATA, G_RTT };

struct m_realm {
	int used, active;
	uint64_t rd, base;
	unsigned int w, num;
	int sl;
	uint16_t vmid;
	unsigned int root_live;
};

struct m_table {
	int used, realm, level;
	uint64_t base;     /* first IPA it maps */
	uint64_t pa;
	unsigned int live;
};

struct m_data {
	int used, realm;
	uint64_t ipa, pa;
};

struct model {
	uint8_t g[M_NG];
	struct m_realm realm[M_MAXR];
	struct m_table tab[M_MAXT];
	struct m_data data[M_MAXT];
};

#define OK 0ull
#define IN RMI_RETURN(RMI_ERROR_INPUT, 0)
#define RTT(l) RMI_RETURN(RMI_ERROR_RTT, (l))

static void model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
}

static int64_t m_gi(uint64_t pa)   /* granule index, or -1 */
{
	if ((pa & (FZ_G - 1)) || pa < FZ_DRAM || pa - FZ_DRAM >= FZ_DRAM_SIZE)
		return -1;
	return (int64_t)((pa - FZ_DRAM) / FZ_G);
}

static int m_is(struct model *m, uint64_t pa, int st)
{
	int64_t i = m_gi(pa);

	return i >= 0 && m->g[i] == st;
}

static void m_set(struct model *m, uint64_t pa, int st)
{
	m->g[m_gi(pa)] = (uint8_t)st;
}

static uint64_t m_size(int level)
{
	return 1ull << (12 + 9 * (3 - level));
}

static struct m_realm *m_realm(struct model *m, uint64_t rd)
{
	if (!m_is(m, rd, G_RD))
		return NULL;
	for (int i = 0; i < M_MAXR; i++)
		if (m->realm[i].used && m->realm[i].rd == rd)
			return &m->realm[i];
	abort();  /* the model lost a realm */
}

/* The RTT at 'level' (> sl) that covers ipa, if it exists. */
static struct m_table *m_table(struct model *m, int ri, int level, uint64_t ipa)
{
	uint64_t base = ipa & ~(m_size(level - 1) - 1);

	for (int i = 0; i < M_MAXT; i++)
		if (m->tab[i].used && m->tab[i].realm == ri && m->tab[i].level == level &&
		    m->tab[i].base == base)
			return &m->tab[i];
	return NULL;
}

/* RttWalk: the deepest level <= target reached through existing RTTs. */
static int m_walk(struct model *m, struct m_realm *r, uint64_t ipa, int target)
{
	int ri = (int)(r - m->realm), l = r->sl;

	while (l < target && m_table(m, ri, l + 1, ipa))
		l++;
	return l;
}

static unsigned int *m_parent_live(struct model *m, struct m_realm *r, int level, uint64_t ipa)
{
	return level - 1 == r->sl ? &r->root_live
				  : &m_table(m, (int)(r - m->realm), level - 1, ipa)->live;
}

static struct m_data *m_data_at(struct model *m, int ri, uint64_t ipa)
{
	for (int i = 0; i < M_MAXT; i++)
		if (m->data[i].used && m->data[i].realm == ri && m->data[i].ipa == ipa)
			return &m->data[i];
	return NULL;
}

static int m_valid_config(unsigned int w, int sl, uint64_t num)
{
	unsigned int l, min, max, full;

	if (sl < 0 || sl > 3)
		return 0;
	l = (unsigned int)(3 - sl);
	min = 9 * l + 13;
	max = min + 8 + (sl > 0 ? 4 : 0);
	if (w < min || w > max)
		return 0;
	full = 9 * l + 21;
	return num == (w <= full ? 1ull : 1ull << (w - full));
}

static uint64_t m_realm_create(struct model *m, uint64_t rd, uint64_t pp)
{
	struct rmi_realm_params pv, *p = &pv;
	int i, slot = -1;

	if (!m_is(m, pp, G_UNDEL))
		return IN;  /* params_align, params_bound, params_pas */
	/* only the pool's variant pages hold parameters; everything else is
	 * zero or not RealmParams (s2sz 0, or flags with LPA2): params_supp */
	for (i = 0; i < FZ_NPARAMS; i++)
		if (pp == FZ_NS(i))
			break;
	if (i == FZ_NPARAMS)
		return IN;
	fz_params_variant(i, p);
	if (p->s2sz < 32 || p->s2sz > 48 || p->hash_algo > 1 || p->num_bps < 1 || p->num_wps < 1)
		return IN;
	if (rd >= p->rtt_base && (rd - p->rtt_base) / FZ_G < p->rtt_num_start)
		return IN;  /* alias */
	if (!m_valid_config(p->s2sz, (int)p->rtt_level_start, p->rtt_num_start) ||
	    p->rtt_base % (p->rtt_num_start * FZ_G))
		return IN;
	if (!m_is(m, rd, G_DEL))
		return IN;
	for (unsigned int k = 0; k < p->rtt_num_start; k++)
		if (!m_is(m, p->rtt_base + k * FZ_G, G_DEL))
			return IN;
	for (i = 0; i < M_MAXR; i++) {
		if (m->realm[i].used && m->realm[i].vmid == p->vmid)
			return IN;  /* vmid_valid */
		if (!m->realm[i].used && slot < 0)
			slot = i;
	}
	if (slot < 0)
		abort();
	m->realm[slot] = (struct m_realm){ 1, 0, rd, p->rtt_base, p->s2sz, p->rtt_num_start,
					   (int)p->rtt_level_start, p->vmid, 0 };
	m_set(m, rd, G_RD);
	for (unsigned int k = 0; k < p->rtt_num_start; k++)
		m_set(m, p->rtt_base + k * FZ_G, G_RTT);
	return OK;
}

static uint64_t model_predict(struct model *m, const uint64_t *x)
{
	struct m_realm *r = NULL;
	int64_t level = (int64_t)x[3];
	uint64_t ipa;
	int ri, wl;

	switch (x[0]) {
	case RMI_VERSION:
		return x[1] == 0x10000 ? OK : IN;
	case RMI_FEATURES:
		return OK;
	case RMI_GRANULE_DELEGATE:
		if (!m_is(m, x[1], G_UNDEL))
			return IN;
		m_set(m, x[1], G_DEL);
		return OK;
	case RMI_GRANULE_UNDELEGATE:
		if (!m_is(m, x[1], G_DEL))
			return IN;
		m_set(m, x[1], G_UNDEL);
		return OK;
	case RMI_REALM_CREATE:
		return m_realm_create(m, x[1], x[2]);
	case RMI_REALM_ACTIVATE:
		if (!(r = m_realm(m, x[1])))
			return IN;
		if (r->active)
			return RMI_RETURN(RMI_ERROR_REALM, 0);
		r->active = 1;
		return OK;
	case RMI_REALM_DESTROY:
		if (!(r = m_realm(m, x[1])))
			return IN;
		if (r->root_live)
			return RMI_RETURN(RMI_ERROR_REALM, 0);
		m_set(m, r->rd, G_DEL);
		for (unsigned int k = 0; k < r->num; k++)
			m_set(m, r->base + k * FZ_G, G_DEL);
		r->used = 0;
		return OK;
	case RMI_REC_AUX_COUNT:
		return m_realm(m, x[1]) ? OK : IN;
	case RMI_RTT_READ_ENTRY:
		if (!(r = m_realm(m, x[1])))
			return IN;
		level = (int64_t)x[3];
		if (level < r->sl || level > 3 || (x[2] & (m_size((int)level) - 1)) ||
		    x[2] >= (1ull << r->w))
			return IN;
		return OK;
	case RMI_RTT_CREATE:
		if (!(r = m_realm(m, x[1])) || !m_is(m, x[2], G_DEL))
			return IN;
		ipa = x[3];
		level = (int64_t)x[4];
		if (level <= r->sl || level > 3 || (ipa & (m_size((int)level - 1) - 1)) ||
		    ipa >= (1ull << r->w))
			return IN;
		ri = (int)(r - m->realm);
		wl = m_walk(m, r, ipa, (int)level - 1);
		if (wl < level - 1)
			return RTT(wl);
		if (m_table(m, ri, (int)level, ipa))
			return RTT(level - 1);
		for (int i = 0; i < M_MAXT; i++)
			if (!m->tab[i].used) {
				m->tab[i] = (struct m_table){ 1, ri, (int)level, ipa, x[2], 0 };
				break;
			}
		(*m_parent_live(m, r, (int)level, ipa))++;
		m_set(m, x[2], G_RTT);
		return OK;
	case RMI_RTT_DESTROY: {
		struct m_table *t;

		if (!(r = m_realm(m, x[1])))
			return IN;
		ipa = x[2];
		level = (int64_t)x[3];
		if (level <= r->sl || level > 3 || (ipa & (m_size((int)level - 1) - 1)) ||
		    ipa >= (1ull << r->w))
			return IN;
		ri = (int)(r - m->realm);
		wl = m_walk(m, r, ipa, (int)level - 1);
		if (wl < level - 1)
			return RTT(wl);
		t = m_table(m, ri, (int)level, ipa);
		if (!t)
			return RTT(level - 1);
		if (t->live)
			return RTT(level);
		(*m_parent_live(m, r, (int)level, ipa))--;
		m_set(m, t->pa, G_DEL);
		t->used = 0;
		return OK;
	}
	case RMI_DATA_CREATE_UNKNOWN:
		if (!m_is(m, x[2], G_DEL) || !(r = m_realm(m, x[1])))
			return IN;
		ipa = x[3];
		if ((ipa & (FZ_G - 1)) || ipa >= (1ull << (r->w - 1)))
			return IN;
		ri = (int)(r - m->realm);
		wl = m_walk(m, r, ipa, 3);
		if (wl < 3)
			return RTT(wl);
		if (m_data_at(m, ri, ipa))
			return RTT(3);
		for (int i = 0; i < M_MAXT; i++)
			if (!m->data[i].used) {
				m->data[i] = (struct m_data){ 1, ri, ipa, x[2] };
				break;
			}
		(*m_parent_live(m, r, 4, ipa))++;
		m_set(m, x[2], G_DATA);
		return OK;
	case RMI_DATA_DESTROY: {
		struct m_data *d;

		if (!(r = m_realm(m, x[1])))
			return IN;
		ipa = x[2];
		if ((ipa & (FZ_G - 1)) || ipa >= (1ull << (r->w - 1)))
			return IN;
		ri = (int)(r - m->realm);
		wl = m_walk(m, r, ipa, 3);
		if (wl < 3)
			return RTT(wl);
		if (!(d = m_data_at(m, ri, ipa)))
			return RTT(3);
		(*m_parent_live(m, r, 4, ipa))--;
		m_set(m, d->pa, G_DEL);
		d->used = 0;
		return OK;
	}
	}
	abort();
}

#endif
