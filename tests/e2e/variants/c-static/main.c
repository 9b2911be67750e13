/* c-static checks, inside its scratch image, what shipit promises: a
 * sticky world-writable /tmp, an account for its UID (read from
 * /etc/passwd directly: getpwuid in a static glibc binary needs NSS
 * modules that scratch does not have), and a CA bundle. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
    struct stat st;
    if (stat("/tmp", &st) != 0) { puts("check failed: no /tmp"); return 1; }
    char tmpl[] = "/tmp/probeXXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0) { puts("check failed: /tmp not writable"); return 1; }
    close(fd);
    char user[64] = "unknown", line[512], uid[16];
    snprintf(uid, sizeof uid, ":%d:", (int)getuid());
    FILE *passwd = fopen("/etc/passwd", "r");
    while (passwd && fgets(line, sizeof line, passwd)) {
        char *colon = strchr(line, ':');
        char *second = colon ? strchr(colon + 1, ':') : NULL;
        if (second && strncmp(second, uid, strlen(uid)) == 0) {
            *colon = '\0';
            snprintf(user, sizeof user, "%s", line);
        }
    }
    struct stat ca;
    int certs = stat("/etc/ssl/certs/ca-certificates.crt", &ca) == 0 && ca.st_size > 0;
    printf("check ok: tmp=%o user=%s certs=%s sqrt2=%.3f\n",
           (unsigned)(st.st_mode & 07777), user, certs ? "yes" : "no", sqrt(2.0));
    return 0;
}
