/*
 * test/pool/holder.c: what systemd does for a socket-activated pool, in
 * miniature, for test/pool/run. It holds the listening socket and starts the
 * pool with it as fd 3 (LISTEN_FDS=1, LISTEN_PID); SIGUSR1 restarts the pool
 * as `systemctl restart` does (SIGTERM, wait for the exit, start again),
 * SIGTERM stops it and the holder. Connections that arrive in between wait in
 * the socket's queue, which the holder keeps open.
 *
 *   holder SOCKET PIDFILE PROGRAM [ARGS...]
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t start(int fd, char **argv)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (fd != 3) {
		if (dup2(fd, 3) < 0)
			_exit(127);
		close(fd);
	}
	char n[32];
	snprintf(n, sizeof(n), "%d", (int)getpid());
	setenv("LISTEN_PID", n, 1);
	setenv("LISTEN_FDS", "1", 1);
	execv(argv[0], argv);
	_exit(127);
}

static void stop(pid_t pid)
{
	int status;
	kill(pid, SIGTERM);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	printf("holder: pool %d exited with %d\n", (int)pid,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	fflush(stdout);
}

static void write_pid(const char *path, pid_t pid)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return;
	fprintf(f, "%d\n", (int)pid);
	fclose(f);
	printf("holder: started pool %d\n", (int)pid);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: holder SOCKET PIDFILE PROGRAM [ARGS...]\n");
		return 2;
	}
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(argv[1]) >= sizeof(sa.sun_path))
		return 2;
	memcpy(sa.sun_path, argv[1], strlen(argv[1]) + 1);
	unlink(argv[1]);
	/* Not close-on-exec: the pool inherits it. */
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1024) < 0 ||
	    chmod(argv[1], 0666) < 0) {
		perror("holder: socket");
		return 1;
	}
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	pid_t pid = start(fd, argv + 3);
	write_pid(argv[2], pid);
	for (;;) {
		int sig;
		if (sigwait(&set, &sig) != 0)
			continue;
		stop(pid);
		if (sig != SIGUSR1)
			break;
		pid = start(fd, argv + 3);
		write_pid(argv[2], pid);
	}
	close(fd);
	unlink(argv[1]);
	return 0;
}
