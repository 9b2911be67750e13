/* count: a plain service of the monorepo, built from its own directory. */
#include <stdio.h>

int main(int argc, char **argv) {
    printf("Hello from count, built on its own! %d arguments\n", argc - 1);
    return 0;
}
