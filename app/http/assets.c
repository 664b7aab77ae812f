/*
 * Static assets (CSS, a little JS, icons), read into memory by the parent
 * at start-up and served from there: no file system access in workers, an
 * ETag per file, and one code path for logging and metrics.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/sha.h>

#include "app.h"

#define ASSETS_MAX		64
#define ASSET_SIZE_MAX		(512 * 1024)

struct asset {
	char		 name[APP_ARG_MAX];
	const char	*ctype;
	u_int8_t	*data;
	size_t		 len;
	char		 etag[24];
};

static struct asset	assets[ASSETS_MAX];
static size_t		nassets = 0;

static const struct {
	const char	*ext;
	const char	*ctype;
} ctypes[] = {
	{ ".css",	"text/css; charset=utf-8" },
	{ ".js",	"text/javascript; charset=utf-8" },
	{ ".svg",	"image/svg+xml" },
	{ ".png",	"image/png" },
	{ ".ico",	"image/x-icon" },
	{ ".woff2",	"font/woff2" },
	{ ".txt",	"text/plain; charset=utf-8" },
};

static int	asset_read(const char *, const char *, char *, size_t);

int
assets_load(const char *dir, char *err, size_t errlen)
{
	DIR		*d;
	struct dirent	*de;

	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return (-1);
	}

	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (asset_read(dir, de->d_name, err, errlen) == -1) {
			closedir(d);
			return (-1);
		}
	}
	closedir(d);

	return (0);
}

static int
asset_read(const char *dir, const char *name, char *err, size_t errlen)
{
	struct asset	*a;
	struct stat	 st;
	FILE		*fp;
	char		 path[PATH_MAX];
	u_int8_t	 digest[SHA256_DIGEST_LENGTH];
	const char	*dot;
	size_t		 i;

	if (nassets == ASSETS_MAX) {
		snprintf(err, errlen, "%s: more than %d files", dir,
		    ASSETS_MAX);
		return (-1);
	}
	a = &assets[nassets];

	if (strlen(name) >= sizeof(a->name) ||
	    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path)) {
		snprintf(err, errlen, "%s/%s: name too long", dir, name);
		return (-1);
	}

	if ((dot = strrchr(name, '.')) == NULL) {
		snprintf(err, errlen, "%s: no file extension", path);
		return (-1);
	}
	a->ctype = NULL;
	for (i = 0; i < sizeof(ctypes) / sizeof(ctypes[0]); i++) {
		if (strcmp(dot, ctypes[i].ext) == 0)
			a->ctype = ctypes[i].ctype;
	}
	if (a->ctype == NULL) {
		snprintf(err, errlen, "%s: unknown file type", path);
		return (-1);
	}

	if ((fp = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (fstat(fileno(fp), &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > ASSET_SIZE_MAX) {
		snprintf(err, errlen, "%s: not a regular file under %d bytes",
		    path, ASSET_SIZE_MAX);
		fclose(fp);
		return (-1);
	}

	a->len = (size_t)st.st_size;
	a->data = kore_malloc(a->len + 1);
	if (fread(a->data, 1, a->len, fp) != a->len) {
		snprintf(err, errlen, "%s: short read", path);
		kore_free(a->data);
		fclose(fp);
		return (-1);
	}
	fclose(fp);

	(void)SHA256(a->data, a->len, digest);
	a->etag[0] = '"';
	for (i = 0; i < 10; i++)
		(void)snprintf(a->etag + 1 + i * 2, 3, "%02x", digest[i]);
	(void)kore_strlcpy(a->etag + 21, "\"", 2);
	(void)kore_strlcpy(a->name, name, sizeof(a->name));
	nassets++;

	return (0);
}

int
assets_serve(struct http_request *req, struct app_req *ctx)
{
	const char	*inm;
	size_t		 i;

	for (i = 0; i < nassets; i++) {
		if (strcmp(assets[i].name, ctx->args[0]) == 0)
			break;
	}

	if (i == nassets) {
		return (render_error(req, ctx, HTTP_STATUS_NOT_FOUND,
		    "There is no such file."));
	}

	http_response_header(req, "etag", assets[i].etag);
	http_response_header(req, "cache-control", "public, max-age=300");
	http_response_header(req, "x-content-type-options", "nosniff");

	if (http_request_header(req, "if-none-match", &inm) &&
	    strcmp(inm, assets[i].etag) == 0) {
		http_response(req, HTTP_STATUS_NOT_MODIFIED, NULL, 0);
		return (KORE_RESULT_OK);
	}

	http_response_header(req, "content-type", assets[i].ctype);
	http_response(req, HTTP_STATUS_OK, assets[i].data, assets[i].len);

	return (KORE_RESULT_OK);
}
