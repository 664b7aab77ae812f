/*
 * Kore hooks: start-up of the parent and of each worker.
 *
 * Everything that can be wrong with the installation (settings,
 * templates, assets) is checked in the parent before any worker starts,
 * so a mistake stops start-up with a message instead of failing requests.
 * Workers inherit what the parent parsed.
 */

#include <sys/prctl.h>
#include <sys/syscall.h>

#include <malloc.h>
#include <signal.h>
#include <stdlib.h>

#include <kore/kore.h>
#include <kore/seccomp.h>

#include "app.h"
#include "clients/zuora.h"
#include "support/support.h"

struct app_config	 app_cfg;
struct tmpl_set		*app_templates = NULL;

void	kore_parent_configure(int, char **);
void	kore_worker_configure(void);
void	kore_seccomp_hook(void);

static const char	*setting_path(const char *, const char *);
static const char	*env_get(const char *);

/*
 * Kore's worker filter plus libpq's (added by Kore's pgsql) do not cover
 * what glibc and libpq call here on Debian bookworm.
 */
KORE_SECCOMP_FILTER("cdot",
	KORE_SYSCALL_ALLOW(uname),
	KORE_SYSCALL_ALLOW(getpeername),
	KORE_SYSCALL_ALLOW(newfstatat),
	KORE_SYSCALL_ALLOW(getdents64),
	KORE_SYSCALL_ALLOW(sendmmsg),
	KORE_SYSCALL_ALLOW(clone3),
	KORE_SYSCALL_ALLOW(rseq),
	KORE_SYSCALL_ALLOW(madvise),
	KORE_SYSCALL_ALLOW(sched_yield),
	KORE_SYSCALL_ALLOW(gettid),
	KORE_SYSCALL_ALLOW(getrusage),
	KORE_SYSCALL_ALLOW(sysinfo),
	/* Sign-in task threads (and ASan's thread start-up). */
	KORE_SYSCALL_ALLOW(sched_getaffinity),
	/* A worker follows its parent out (kore_worker_configure). */
	KORE_SYSCALL_ALLOW_ARG(prctl, 0, PR_SET_PDEATHSIG),
	/* A graceful stop shuts the listening socket (http/drain.c). */
	KORE_SYSCALL_ALLOW(shutdown),
);

static const char *
setting_path(const char *env, const char *fallback)
{
	const char	*v;

	if ((v = getenv(env)) != NULL && *v != '\0')
		return (v);

	return (fallback);
}

/* getenv(3) returns char *; the parser wants a const view of it. */
static const char *
env_get(const char *name)
{
	return (getenv(name));
}

void
kore_parent_configure(int argc, char **argv)
{
	char		 err[CONFIG_ERRLEN];
	const char	*path;

	(void)argc;
	(void)argv;

	path = setting_path("CDOT_CONFIG", "conf/app.conf");
	if (config_load(&app_cfg, path, env_get, err, sizeof(err)) == -1)
		fatalx("configuration: %s", err);

	path = setting_path("CDOT_TEMPLATES", "templates");
	if ((app_templates = tmpl_set_load(path, err, sizeof(err))) == NULL)
		fatalx("templates: %s", err);

	path = setting_path("CDOT_ASSETS", "assets");
	if (assets_load(path, err, sizeof(err)) == -1)
		fatalx("assets: %s", err);

	if (metrics_init(app_nroutes) == -1)
		fatalx("metrics: cannot map shared memory");
	if (drain_init() == -1)
		fatalx("graceful stop: cannot map shared memory");

	/* Every route says who may use it, or the panel does not start. */
	if (auth_routes_check(err, sizeof(err)) == -1)
		fatalx("routes: %s", err);
	if ((path = getenv("CDOT_ROUTES_FILE")) != NULL && *path != '\0' &&
	    auth_routes_export(path, err, sizeof(err)) == -1)
		fatalx("routes: %s", err);

	/* The key pair that signs licenses, read once, here. */
	if (license_keys_load(err, sizeof(err)) == -1)
		fatalx("licenses: %s", err);

	/* The key that signs GitLab.com's tokens, likewise. */
	if (gitlab_keys_load(err, sizeof(err)) == -1)
		fatalx("GitLab.com: %s", err);

	/* libcurl's globals, before any task thread calls Zuora. */
	if (zuora_global_init() == -1)
		fatalx("libcurl could not be initialised");

	/* liboauth2 once, here, so that every worker shares its state. */
	if (auth_parent_init(err, sizeof(err)) == -1)
		fatalx("sign-in: %s", err);
}

void
kore_worker_configure(void)
{
	/*
	 * A page allocates and frees a few hundred kilobytes.  glibc would
	 * give the top of that back to the system after each request (past
	 * 128 kB free) and take it again, a page fault at a time, on the
	 * next: keep up to 16 MB instead.  A hint; nothing depends on it.
	 */
	(void)mallopt(M_TRIM_THRESHOLD, 16 * 1024 * 1024);

	/*
	 * A worker whose parent is killed stops too: left behind, it would
	 * keep the port, and a new instance could not start there.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
		kore_log(LOG_WARNING, "prctl(PR_SET_PDEATHSIG): %s", errno_s);

	db_worker_init();

	/* SIGTERM finishes the requests in flight first (http/drain.c). */
	drain_worker_init();
}
