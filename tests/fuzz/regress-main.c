/*
 * regress-main.c: a main() for the libFuzzer harnesses so `make check`
 * runs them with the ordinary compiler over their corpus, plus simple
 * deterministic mutations of each input (truncations and bit flips).
 */
#include "common/compat.h"

#include <dirent.h>

#include "common/buf.h"
#include "common/file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t runs;

static void
run(const char *data, size_t len)
{
	/* a private copy, so reads past the end are caught by ASan */
	uint8_t *copy = malloc(len ? len : 1);

	memcpy(copy, data, len);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
	runs++;
}

static void
run_file(const char *path)
{
	struct buf b;
	struct cm_err err;
	size_t i, cut;
	char *m;

	buf_init(&b, 16 << 20);
	if (file_read(path, 16 << 20, 0, &b, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
	run(b.data, b.len);
	for (cut = 1; cut <= 8 && cut <= b.len; cut *= 2)
		run(b.data, b.len - b.len / (cut + 1));
	m = malloc(b.len ? b.len : 1);
	for (i = 0; i < 16 && b.len > 0; i++) {
		memcpy(m, b.data, b.len);
		m[(i * 7919) % b.len] ^= (char)(1u << (i % 8));
		run(m, b.len);
	}
	free(m);
	buf_release(&b);
}

int
main(int argc, char **argv)
{
	struct dirent *de;
	int i;
	DIR *d;

	for (i = 1; i < argc; i++) {
		if ((d = opendir(argv[i])) == NULL) {
			run_file(argv[i]);
			continue;
		}
		while ((de = readdir(d)) != NULL) {
			char *p;
			if (de->d_name[0] == '.')
				continue;
			p = path_join(argv[i], de->d_name);
			run_file(p);
			free(p);
		}
		closedir(d);
	}
	printf("%zu inputs\n", runs);
	return 0;
}
