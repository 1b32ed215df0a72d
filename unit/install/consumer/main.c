/* Uses only the installed public headers. */
#include <stdio.h>
#include <rmm/rmm.h>
#include <rmm/rmi.h>

int main(void)
{
	struct rmm_config cfg;
	struct rmm *r;
	uint64_t lo;

	rmm_config_init(&cfg);
	cfg.dram_size = 1 << 20;
	if (rmm_create(&cfg, &r))
		return 1;
	if (rmm_rmi_version(r, 0, RMI_ABI_VERSION_1_0, &lo, NULL) != RMI_SUCCESS || lo != 0x10000)
		return 1;
	rmm_destroy(r);
	puts("consumer ok");
	return 0;
}
