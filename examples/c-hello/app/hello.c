/* c-hello: the seed's hello world, compiled in the builder (seed 000). */
#include <stdio.h>

int main(void) {
    printf("Hello from the container!\n");
    return 0;
}
