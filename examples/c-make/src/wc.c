/* c-make: a tiny line counter built and installed with make (seed 004). */
#include <stdio.h>

int main(int argc, char **argv) {
    FILE *in = argc > 1 ? fopen(argv[1], "r") : stdin;
    if (!in) {
        perror(argv[1]);
        return 1;
    }
    long lines = 0;
    int c;
    while ((c = fgetc(in)) != EOF) {
        if (c == '\n') {
            lines++;
        }
    }
    printf("%ld\n", lines);
    return 0;
}
