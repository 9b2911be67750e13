/* A tiny HTTP server: answers every request with a greeting. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "greeting.h"

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 8080;
    int server = socket(AF_INET, SOCK_STREAM, 0);
    int yes = 1;
    struct sockaddr_in address = {0};
    signal(SIGPIPE, SIG_IGN);
    setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    address.sin_port = htons((unsigned short)port);
    if (bind(server, (struct sockaddr *)&address, sizeof address) < 0 || listen(server, 16) < 0) {
        perror("c-server");
        return 1;
    }
    printf("c-server listening on %d\n", port);
    fflush(stdout);
    for (;;) {
        char request[4096];
        char response[512];
        int client = accept(server, NULL, NULL);
        if (client < 0) continue;
        (void)read(client, request, sizeof request);
        const char *body = greeting();
        int length = snprintf(response, sizeof response,
            "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n\r\n%s",
            strlen(body), body);
        (void)write(client, response, (size_t)length);
        close(client);
    }
}
