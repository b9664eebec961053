/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Hook scripts: phase1_up, phase1_down and phase1_dead, started with
 * fork and exec so that the event loop never waits for them, and reaped
 * on SIGCHLD, which libevent turns into a callback.  The child gets a
 * scrubbed environment (ipsec-tools' variables and a fixed PATH),
 * stdin from /dev/null, default signal dispositions and none of
 * racoon's descriptors but stdout and stderr.
 */
#include <sys/queue.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "addr.h"
#include "cfg.h"
#include "exchange.h"
#include "log.h"
#include "ph1.h"
#include "script.h"

#define SCRIPT_MAX_RUNNING	64
#define SCRIPT_ENV_MAX		24
#define SCRIPT_PATH_ENV		"PATH=/usr/local/sbin:/usr/local/bin:" \
				"/usr/sbin:/usr/bin:/sbin:/bin"

struct script_child {
	pid_t		 sc_pid;
	enum cfg_script	 sc_hook;
	char		 sc_path[1024];
	TAILQ_ENTRY(script_child) sc_entry;
};

static TAILQ_HEAD(, script_child) script_children =
    TAILQ_HEAD_INITIALIZER(script_children);
static unsigned		 script_nchildren;
static struct event	*script_chld_ev;

static const char *const script_names[CFG_SCRIPT_MAX] = {
	[CFG_SCRIPT_PHASE1_UP] = "phase1_up",
	[CFG_SCRIPT_PHASE1_DOWN] = "phase1_down",
	[CFG_SCRIPT_PHASE1_DEAD] = "phase1_dead",
};

const char *
script_name(enum cfg_script hook)
{
	return (unsigned)hook < CFG_SCRIPT_MAX ? script_names[hook] : "?";
}

/* The environment: one "NAME=value" string per slot of buf. */
struct script_env {
	char		*se_vars[SCRIPT_ENV_MAX + 1];
	char		 se_buf[SCRIPT_ENV_MAX][512];
	size_t		 se_n;
};

static void
script_env_add(struct script_env *e, const char *name, const char *val)
{
	if (e->se_n == SCRIPT_ENV_MAX)
		return;
	snprintf(e->se_buf[e->se_n], sizeof(e->se_buf[0]), "%s=%s", name,
	    val);
	e->se_vars[e->se_n] = e->se_buf[e->se_n];
	e->se_vars[++e->se_n] = NULL;
}

/*
 * ipsec-tools' variables in its order: the mode-cfg ones first (empty
 * until mode-cfg exists here), then the endpoints and the peer's ID.
 */
static void
script_env_fill(struct script_env *e, const struct ph1 *ph1)
{
	static const char *const modecfg[] = {
		"INTERNAL_ADDR4", "INTERNAL_MASK4", "INTERNAL_NETMASK4",
		"INTERNAL_CIDR4", "INTERNAL_DNS4", "INTERNAL_DNS4_LIST",
		"INTERNAL_WINS4", "INTERNAL_WINS4_LIST", "DEFAULT_DOMAIN",
		"SPLIT_INCLUDE", "SPLIT_LOCAL",
	};
	char a[ADDR_STRLEN], port[8], id[256];
	size_t i;

	memset(e, 0, sizeof(*e));
	for (i = 0; i < sizeof(modecfg) / sizeof(modecfg[0]); i++)
		script_env_add(e, modecfg[i],
		    strcmp(modecfg[i], "INTERNAL_CIDR4") == 0 ? "0" : "");
	script_env_add(e, "LOCAL_ADDR", addr_ntop(&ph1->ph1_local, a,
	    sizeof(a)));
	snprintf(port, sizeof(port), "%u", ph1->ph1_local.a_port);
	script_env_add(e, "LOCAL_PORT", port);
	script_env_add(e, "REMOTE_ADDR", addr_ntop(&ph1->ph1_peer, a,
	    sizeof(a)));
	snprintf(port, sizeof(port), "%u", ph1->ph1_peer.a_port);
	script_env_add(e, "REMOTE_PORT", port);
	if (ph1_peer_id_str(ph1, id, sizeof(id))[0] != '\0')
		script_env_add(e, "REMOTE_ID", id);
	script_env_add(e, "PATH", &SCRIPT_PATH_ENV[strlen("PATH=")]);
}

/* In the child: a clean process, then exec; never returns. */
static void
script_exec(const char *path, enum cfg_script hook, char **envp)
{
	char *argv[3];
	sigset_t none;
	long fd, max;
	int nul;

	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	for (fd = 1; fd < NSIG; fd++)
		(void)signal((int)fd, SIG_DFL);
	if ((nul = open("/dev/null", O_RDONLY)) != -1) {
		(void)dup2(nul, STDIN_FILENO);
		if (nul != STDIN_FILENO)
			close(nul);
	}
	if ((max = sysconf(_SC_OPEN_MAX)) < 0 || max > 65536)
		max = 65536;
	for (fd = STDERR_FILENO + 1; fd < max; fd++)
		(void)close((int)fd);
	argv[0] = (char *)path;
	argv[1] = (char *)script_names[hook];
	argv[2] = NULL;
	execve(path, argv, envp);
	_exit(127);
}

/* path script/NAME for a relative NAME, as ipsec-tools' getpathname. */
static int
script_path(const struct ph1 *ph1, const char *s, char *out, size_t len)
{
	const char *dir = ph1->ph1_env->env_cfg->c_paths.p_script;
	int n;

	if (s[0] == '/' || dir == NULL)
		n = snprintf(out, len, "%s", s);
	else
		n = snprintf(out, len, "%s/%s", dir, s);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

void
script_run(const struct ph1 *ph1, enum cfg_script hook)
{
	const char *s;
	struct script_child *sc;
	struct script_env env;
	char name[PH1_NAMELEN];

	if (ph1->ph1_remote == NULL || (unsigned)hook >= CFG_SCRIPT_MAX ||
	    (s = ph1->ph1_remote->r_script[hook]) == NULL)
		return;
	ph1_name(ph1, name, sizeof(name));
	if (script_nchildren >= SCRIPT_MAX_RUNNING) {
		log_warnx("%s: script %s not run: %d scripts still running",
		    name, script_names[hook], SCRIPT_MAX_RUNNING);
		return;
	}
	if ((sc = calloc(1, sizeof(*sc))) == NULL) {
		log_warn("%s: script %s", name, script_names[hook]);
		return;
	}
	sc->sc_hook = hook;
	if (script_path(ph1, s, sc->sc_path, sizeof(sc->sc_path)) == -1) {
		log_warnx("%s: script %s: path too long", name,
		    script_names[hook]);
		free(sc);
		return;
	}
	script_env_fill(&env, ph1);
	switch (sc->sc_pid = fork()) {
	case -1:
		log_warn("%s: script %s: fork", name, script_names[hook]);
		free(sc);
		return;
	case 0:
		script_exec(sc->sc_path, hook, env.se_vars);
		/* NOTREACHED */
	default:
		break;
	}
	TAILQ_INSERT_TAIL(&script_children, sc, sc_entry);
	script_nchildren++;
	log_info("%s: script %s %s started (pid %ld)", name, sc->sc_path,
	    script_names[hook], (long)sc->sc_pid);
}

static void
script_reaped(struct script_child *sc, int status)
{
	const char *n = script_names[sc->sc_hook];

	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		log_info("script %s %s (pid %ld) exited with status 0",
		    sc->sc_path, n, (long)sc->sc_pid);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		log_warnx("script %s %s (pid %ld) exited with status 127 "
		    "(could not be executed?)", sc->sc_path, n,
		    (long)sc->sc_pid);
	else if (WIFEXITED(status))
		log_warnx("script %s %s (pid %ld) exited with status %d",
		    sc->sc_path, n, (long)sc->sc_pid, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		log_warnx("script %s %s (pid %ld) killed by signal %d",
		    sc->sc_path, n, (long)sc->sc_pid, WTERMSIG(status));
}

static void
script_chld_cb(evutil_socket_t sig, short what, void *arg)
{
	struct script_child *sc, *next;
	int status;
	pid_t p;

	(void)sig;
	(void)what;
	(void)arg;
	for (sc = TAILQ_FIRST(&script_children); sc != NULL; sc = next) {
		next = TAILQ_NEXT(sc, sc_entry);
		while ((p = waitpid(sc->sc_pid, &status, WNOHANG)) == -1 &&
		    errno == EINTR)
			;
		if (p == 0)
			continue;
		if (p == sc->sc_pid)
			script_reaped(sc, status);
		TAILQ_REMOVE(&script_children, sc, sc_entry);
		script_nchildren--;
		free(sc);
	}
}

int
script_init(struct event_base *base)
{
	script_chld_ev = evsignal_new(base, SIGCHLD, script_chld_cb, NULL);
	if (script_chld_ev == NULL || evsignal_add(script_chld_ev,
	    NULL) == -1)
		return -1;
	return 0;
}

unsigned
script_running(void)
{
	return script_nchildren;
}

void
script_close(void)
{
	struct script_child *sc;

	if (script_chld_ev != NULL)
		event_free(script_chld_ev);
	script_chld_ev = NULL;
	while ((sc = TAILQ_FIRST(&script_children)) != NULL) {
		TAILQ_REMOVE(&script_children, sc, sc_entry);
		free(sc);
	}
	script_nchildren = 0;
}
