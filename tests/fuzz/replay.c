/*
 * A main() for a fuzz target without libFuzzer: runs each input file (or every
 * file in each directory) once and prints unit-test style lines, so that
 * `make unit-test` replays the committed corpora and the targets cannot rot.
 * With no arguments it replays FUZZ_REPLAY_DIRS, set when it is built.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int passed, failed;

static void replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;

	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
	    !(buf = malloc((size_t)len + 1)) || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		printf("FAIL %s: cannot read it\n", path);
		failed++;
	} else {
		/* A crash or a sanitizer report ends the process: run-all counts that as a failure. */
		LLVMFuzzerTestOneInput(buf, (size_t)len);
		printf("ok   %s\n", path);
		passed++;
	}
	free(buf);
	if (f)
		fclose(f);
}

/* Files in sorted order, so that two runs replay the same sequence. */
static void replay_dir(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	char path[4096];

	if (n < 0) {
		printf("FAIL %s: cannot list it\n", dir);
		failed++;
		return;
	}
	for (int i = 0; i < n; i++) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (names[i]->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode))
			replay_file(path);
		free(names[i]);
	}
	free(names);
}

static void replay(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		replay_dir(path);
	else
		replay_file(path);
}

int main(int argc, char **argv)
{
	char dirs[] = FUZZ_REPLAY_DIRS;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			replay(argv[i]);
	} else {
		for (char *d = strtok(dirs, " "); d; d = strtok(NULL, " "))
			replay(d);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
