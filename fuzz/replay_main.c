/*
 * Runs a harness over files and directories of inputs, as libFuzzer does
 * with corpus arguments, for builds without libFuzzer (gcc, the default and
 * asan-ubsan presets): each corpus is replayed by ctest.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	unsigned long runs = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: cannot read %s\n", argv[i]);
			return 1;
		}
		if (S_ISDIR(st.st_mode)) {
			DIR *d = opendir(argv[i]);
			struct dirent *e;
			char **names = NULL;
			size_t n = 0;

			while (d && (e = readdir(d))) {
				if (e->d_name[0] == '.')
					continue;
				names = realloc(names, (n + 1) * sizeof(*names));
				names[n] = malloc(strlen(argv[i]) + strlen(e->d_name) + 2);
				sprintf(names[n++], "%s/%s", argv[i], e->d_name);
			}
			if (d)
				closedir(d);
			qsort(names, n, sizeof(*names), cmp);
			for (size_t k = 0; k < n; k++) {
				if (run_file(names[k]) == 0)
					runs++;
				free(names[k]);
			}
			free(names);
		} else if (run_file(argv[i]) == 0) {
			runs++;
		}
	}
	printf("replay: %lu inputs ran without a finding\n", runs);
	return runs ? 0 : 1;
}
