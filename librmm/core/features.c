/* RMI_VERSION and RMI_FEATURES: no failure conditions beyond VERSION's. */
#include "core/rmi_table.h"

/*
 * VERSION(req) -> lower, higher. Only 1.0 is implemented, so a request is
 * compatible only when it is exactly 1.0; otherwise ERROR_INPUT, and
 * lower == higher == 1.0 in every case (the spec's rules for one revision).
 */
uint64_t rmi_version(struct call *c, const uint64_t *a, uint64_t *res)
{
	res[1] = RMI_ABI_VERSION_1_0;
	res[2] = RMI_ABI_VERSION_1_0;
	if (a[1] != RMI_ABI_VERSION_1_0)
		return call_fail(c, RMI_ERROR_INPUT, 0,
				 "version: requested 0x%llx, implemented 1.0 (0x10000)",
				 (unsigned long long)a[1]);
	return RMI_SUCCESS;
}

/* FEATURES(index) -> value: FeatureRegister0 for index 0, zero otherwise. */
uint64_t rmi_features(struct call *c, const uint64_t *a, uint64_t *res)
{
	res[1] = a[1] == 0 ? c->rmm->feat0 : 0;
	return RMI_SUCCESS;
}
