/*
 * Unit tests for the template engine (app/lib/tmpl.c).
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "unit.h"
#include <jansson.h>

#include "lib/tmpl.h"

Suite	*tmpl_suite(void);

/* Collects output; fails every call from the fail_at'th on if >= 0. */
struct out {
	char		*p;
	size_t		 len;
	size_t		 cap;
	int		 calls;
	int		 fail_at;
};

static void
out_init(struct out *o)
{
	memset(o, 0, sizeof(*o));
	o->fail_at = -1;
}

static int
out_write(void *ctx, const char *p, size_t len)
{
	struct out	*o = ctx;
	char		*np;
	size_t		 ncap;

	if (o->fail_at >= 0 && o->calls >= o->fail_at)
		return (-1);
	o->calls++;

	if (o->len + len + 1 > o->cap) {
		ncap = (o->len + len + 1) * 2;
		if ((np = realloc(o->p, ncap)) == NULL)
			return (-1);
		o->p = np;
		o->cap = ncap;
	}
	memcpy(o->p + o->len, p, len);
	o->len += len;
	o->p[o->len] = '\0';

	return (0);
}

static const char *
out_str(const struct out *o)
{
	return (o->p == NULL ? "" : o->p);
}

static json_t *
parse_json(int line, const char *s)
{
	json_t		*v;
	json_error_t	 jerr;

	v = json_loads(s, JSON_DECODE_ANY, &jerr);
	ck_assert_msg(v != NULL, "line %d: bad test JSON: %s", line, jerr.text);
	return (v);
}

/*
 * Builds a set from NULL-terminated name, source pairs; the first one is
 * rendered with json as its view and must produce want.
 */
static void
check_set(int line, const char *const *tmpls, const char *json,
    const char *want)
{
	struct tmpl_set	*set;
	struct out	 o;
	json_t		*view;
	char		 err[TMPL_ERRLEN];
	size_t		 i;
	int		 rc;

	ck_assert_ptr_nonnull(set = tmpl_set_new());
	for (i = 0; tmpls[i] != NULL; i += 2) {
		ck_assert_msg(tmpl_set_add(set, tmpls[i], tmpls[i + 1],
		    strlen(tmpls[i + 1]), err, sizeof(err)) == 0,
		    "line %d: add %s: %s", line, tmpls[i], err);
	}
	ck_assert_msg(tmpl_set_resolve(set, err, sizeof(err)) == 0,
	    "line %d: resolve: %s", line, err);

	view = parse_json(line, json);
	out_init(&o);
	rc = tmpl_render(set, tmpls[0], view, out_write, &o);
	ck_assert_msg(rc == 0, "line %d: render failed", line);
	ck_assert_msg(strcmp(out_str(&o), want) == 0,
	    "line %d: got \"%s\", want \"%s\"", line, out_str(&o), want);

	free(o.p);
	json_decref(view);
	tmpl_set_free(set);
}

static void
check_one(int line, const char *src, const char *json, const char *want)
{
	const char	*tmpls[] = { "t", src, NULL };

	check_set(line, tmpls, json, want);
}

/* src, named "t", must fail to load with exactly want in err. */
static void
check_error(int line, const char *src, const char *want)
{
	struct tmpl_set	*set;
	char		 err[TMPL_ERRLEN];

	ck_assert_ptr_nonnull(set = tmpl_set_new());
	err[0] = '\0';
	ck_assert_msg(tmpl_set_add(set, "t", src, strlen(src), err,
	    sizeof(err)) == -1, "line %d: \"%s\" loaded", line, src);
	ck_assert_msg(strcmp(err, want) == 0,
	    "line %d: got error \"%s\", want \"%s\"", line, err, want);
	ck_assert_msg(!tmpl_exists(set, "t"), "line %d: kept", line);
	tmpl_set_free(set);
}

/* Renders a whole set; returns tmpl_render's result and frees all. */
static int
render_set_rc(const char *const *tmpls, const char *json, struct out *o)
{
	struct tmpl_set	*set;
	json_t		*view;
	char		 err[TMPL_ERRLEN];
	size_t		 i;
	int		 rc;

	ck_assert_ptr_nonnull(set = tmpl_set_new());
	for (i = 0; tmpls[i] != NULL; i += 2) {
		ck_assert_msg(tmpl_set_add(set, tmpls[i], tmpls[i + 1],
		    strlen(tmpls[i + 1]), err, sizeof(err)) == 0, "%s", err);
	}
	ck_assert_msg(tmpl_set_resolve(set, err, sizeof(err)) == 0, "%s",
	    err);

	view = parse_json(__LINE__, json);
	rc = tmpl_render(set, tmpls[0], view, out_write, o);
	json_decref(view);
	tmpl_set_free(set);

	return (rc);
}

#define R(src, json, want)	check_one(__LINE__, src, json, want)
#define RS(tmpls, json, want)	check_set(__LINE__, tmpls, json, want)
#define E(src, want)		check_error(__LINE__, src, want)

/*
 * Files for tmpl_set_load.
 */

struct file {
	const char	*path;
	const char	*data;
};

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;

	if (flag == FTW_DP)
		return (rmdir(path));
	return (unlink(path));
}

static void
rm_tree(const char *dir)
{
	ck_assert_msg(nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0,
	    "rm %s: %s", dir, strerror(errno));
}

static void
write_file(const char *dir, const char *rel, const char *data, size_t len)
{
	char		 path[1024], *slash;
	FILE		*fp;
	int		 n;

	n = snprintf(path, sizeof(path), "%s/%s", dir, rel);
	ck_assert(n > 0 && (size_t)n < sizeof(path));

	/* mkdir -p for the leading components. */
	for (slash = path + strlen(dir) + 1; (slash = strchr(slash, '/'));
	    slash++) {
		*slash = '\0';
		ck_assert_msg(mkdir(path, 0700) == 0 || errno == EEXIST,
		    "mkdir %s: %s", path, strerror(errno));
		*slash = '/';
	}

	ck_assert_msg((fp = fopen(path, "w")) != NULL, "%s", path);
	ck_assert(fwrite(data, 1, len, fp) == len);
	ck_assert(fclose(fp) == 0);
}

static void
make_tree(char *dir, const struct file *files)
{
	size_t		i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (i = 0; files[i].path != NULL; i++) {
		write_file(dir, files[i].path, files[i].data,
		    strlen(files[i].data));
	}
}

/*
 * Tests.
 */

START_TEST(test_escape_function)
{
	struct out	o;

	out_init(&o);
	ck_assert_int_eq(tmpl_escape("a&b<c>d\"e'f", 11, out_write, &o), 0);
	ck_assert_str_eq(out_str(&o), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
	free(o.p);

	/* Only len bytes; no NUL needed. */
	out_init(&o);
	ck_assert_int_eq(tmpl_escape("ab<cd", 3, out_write, &o), 0);
	ck_assert_str_eq(out_str(&o), "ab&lt;");
	free(o.p);

	out_init(&o);
	ck_assert_int_eq(tmpl_escape("", 0, out_write, &o), 0);
	ck_assert_int_eq(o.calls, 0);
	ck_assert_int_eq(tmpl_escape("plain", 5, out_write, &o), 0);
	ck_assert_int_eq(o.calls, 1);
	ck_assert_str_eq(out_str(&o), "plain");
	free(o.p);

	ck_assert_int_eq(tmpl_escape("x", 1, NULL, NULL), -1);
}
END_TEST

START_TEST(test_variables)
{
	R("", "{}", "");
	R("plain text", "{}", "plain text");
	R("Hi {{name}}!", "{\"name\":\"Ann\"}", "Hi Ann!");
	R("{{x}}", "{\"x\":\"& < > \\\" '\"}", "&amp; &lt; &gt; &quot; &#39;");
	R("{{x}}", "{\"x\":\"<b>&amp;</b>\"}",
	    "&lt;b&gt;&amp;amp;&lt;/b&gt;");
	R("{{missing}}|", "{}", "|");
	R("{{ name }}|{{\tname\n}}", "{\"name\":\"n\"}", "n|n");
	R("a}}b{c}", "{}", "a}}b{c}");
	R("{{a-b}}{{a_b}}{{a:b}}", "{\"a-b\":1,\"a_b\":2,\"a:b\":3}", "123");
}
END_TEST

START_TEST(test_raw)
{
	R("{{{x}}}", "{\"x\":\"<b>&'\\\"</b>\"}", "<b>&'\"</b>");
	R("{{&x}}", "{\"x\":\"<b>&</b>\"}", "<b>&</b>");
	R("{{& x }}|{{{ x }}}", "{\"x\":\"<i>\"}", "<i>|<i>");
	R("{{{x}}}", "{\"x\":3}", "3");
	R("{{{missing}}}", "{}", "");
}
END_TEST

START_TEST(test_dotted)
{
	const char	*v = "{\"a\":{\"b\":{\"c\":\"deep\"}},\"s\":\"str\"}";

	R("{{a.b.c}}", v, "deep");
	R("{{{a.b.c}}}", v, "deep");
	R("[{{a.x.c}}]", v, "[]");
	R("[{{a.b.c.d}}]", v, "[]");
	R("[{{s.length}}]", v, "[]");
	R("{{#a.b}}{{c}}{{/a.b}}", v, "deep");
	R("{{^a.b.x}}none{{/a.b.x}}", v, "none");

	/* The first part is looked up outward, the rest only inside it. */
	R("{{#l}}{{a.b.c}}{{/l}}", "{\"a\":{\"b\":{\"c\":\"deep\"}},\"l\":[1]}",
	    "deep");
	R("[{{#a}}{{b.c}}{{/a}}]",
	    "{\"a\":{\"b\":{}},\"b\":{\"c\":\"ERROR\"}}", "[]");
}
END_TEST

START_TEST(test_implicit_iterator)
{
	R("{{#l}}[{{.}}]{{/l}}", "{\"l\":[\"a\",\"<b>\",3,1.5,true,null]}",
	    "[a][&lt;b&gt;][3][1.5][true][]");
	R("{{#l}}[{{{.}}}]{{/l}}", "{\"l\":[\"<b>\"]}", "[<b>]");
	R("{{.}}", "\"root & string\"", "root &amp; string");
	R("[{{.}}]", "{\"a\":1}", "[]");
	R("{{#rows}}<{{#.}}{{.}}{{/.}}>{{/rows}}", "{\"rows\":[[1,2],[],[3]]}",
	    "<12><><3>");
}
END_TEST

START_TEST(test_context_stack)
{
	R("{{#items}}{{name}},{{/items}}",
	    "{\"name\":\"outer\",\"items\":[{\"name\":\"in\"},{\"x\":1}]}",
	    "in,outer,");
	R("{{#a}}{{#b}}{{#c}}{{x}}{{y}}{{/c}}{{/b}}{{/a}}",
	    "{\"a\":{\"b\":{\"c\":{\"y\":\"Y\"}, \"x\":\"B\"}},\"x\":\"X\"}",
	    "BY");
	/* Scalars on the stack are skipped when looking names up. */
	R("{{#l}}{{.}}{{k}}{{/l}}", "{\"k\":\"!\",\"l\":[\"a\",\"b\"]}",
	    "a!b!");
	/* A null view is an empty context. */
	R("a{{x}}{{#x}}no{{/x}}", "null", "a");
}
END_TEST

START_TEST(test_sections)
{
	R("{{#l}}<{{n}}>{{/l}}", "{\"l\":[{\"n\":1},{\"n\":2},{\"n\":3}]}",
	    "<1><2><3>");
	R("[{{#l}}x{{/l}}]", "{\"l\":[]}", "[]");
	R("{{#o}}{{k}}{{/o}}", "{\"o\":{\"k\":\"v\"}}", "v");
	R("{{#o}}yes{{/o}}", "{\"o\":{}}", "yes");
	R("{{#t}}{{k}}{{/t}}", "{\"t\":true,\"k\":\"v\"}", "v");
	/* true pushes nothing: {{.}} is still the enclosing object. */
	R("{{#t}}[{{.}}]{{/t}}", "{\"t\":true}", "[]");
	R("{{#l}}{{#t}}{{.}}{{/t}}{{/l}}", "{\"t\":true,\"l\":[\"a\"]}", "a");
	R("{{#s}}<{{.}}>{{/s}}", "{\"s\":\"str\"}", "<str>");
	R("{{#n}}<{{.}}>{{/n}}", "{\"n\":0}", "<0>");
	R("{{#n}}<{{.}}>{{/n}}", "{\"n\":0.5}", "<0.5>");
	R("[{{#f}}x{{/f}}]", "{\"f\":false}", "[]");
	R("[{{#f}}x{{/f}}]", "{\"f\":null}", "[]");
	R("[{{#f}}x{{/f}}]", "{}", "[]");
	R("[{{#f}}x{{/f}}]", "{\"f\":\"\"}", "[]");
	R("{{#a}}{{#b}}ab{{/b}}{{/a}}", "{\"a\":true,\"b\":[1,2]}", "abab");
	R("{{#a}}1{{/a}}{{#a}}2{{/a}}", "{\"a\":true}", "12");
}
END_TEST

START_TEST(test_inverted)
{
	const char	*falsy[] = { "false", "null", "\"\"", "[]", NULL };
	const char	*truthy[] = { "true", "0", "\"x\"", "[1]", "{}",
			    NULL };
	char		 json[64];
	size_t		 i;

	for (i = 0; falsy[i] != NULL; i++) {
		(void)snprintf(json, sizeof(json), "{\"v\":%s}", falsy[i]);
		R("{{^v}}shown{{/v}}", json, "shown");
	}
	for (i = 0; truthy[i] != NULL; i++) {
		(void)snprintf(json, sizeof(json), "{\"v\":%s}", truthy[i]);
		R("[{{^v}}shown{{/v}}]", json, "[]");
	}
	R("{{^missing}}shown{{/missing}}", "{}", "shown");
	R("{{^v}}{{k}}{{/v}}", "{\"v\":[],\"k\":\"root\"}", "root");
	R("{{#v}}yes{{/v}}{{^v}}no{{/v}}", "{\"v\":false}", "no");
}
END_TEST

START_TEST(test_comments)
{
	R("a{{! comment }}b", "{}", "ab");
	R("a{{!}}b", "{}", "ab");
	R("a{{! one\ntwo\nthree }}b", "{}", "ab");
	R("a{{! } { {{x }}b", "{}", "ab");
	/* A comment ends at the first closing braces. */
	R("a{{! {{x}} }}b", "{}", "a }}b");
	R("a\n  {{! standalone }}\nb", "{}", "a\nb");
	R("a\n{{! multi\nline }}\nb", "{}", "a\nb");
	/* Lines inside comments count for error messages. */
	E("{{! a\nb\n}}\n{{#x}}", "t:4: unclosed section \"x\"");
}
END_TEST

START_TEST(test_partials)
{
	const char	*simple[] = { "main", "<{{> p}}>", "p", "{{name}}",
			    NULL };
	const char	*nested[] = { "main", "{{>a}}", "a", "A({{> b }})",
			    "b", "B{{x}}", NULL };
	const char	*ctx[] = { "main", "{{#items}}{{>item}}{{/items}}",
			    "item", "[{{name}}{{sep}}]", NULL };
	const char	*slash[] = { "page", "{{>partials/nav}}",
			    "partials/nav", "<nav>", NULL };
	const char	*tree[] = { "node",
			    "{{name}}{{#kids}}({{>node}}){{/kids}}", NULL };

	RS(simple, "{\"name\":\"N&\"}", "<N&amp;>");
	RS(nested, "{\"x\":1}", "A(B1)");
	RS(ctx, "{\"sep\":\";\",\"items\":[{\"name\":\"a\"},{\"name\":\"b\"}]}",
	    "[a;][b;]");
	RS(slash, "{}", "<nav>");
	/* Recursion bounded by the data is fine. */
	RS(tree, "{\"name\":\"a\",\"kids\":[{\"name\":\"b\",\"kids\":"
	    "[{\"name\":\"c\",\"kids\":[]}]},{\"name\":\"d\",\"kids\":[]}]}",
	    "a(b(c))(d)");
}
END_TEST

START_TEST(test_standalone)
{
	const char	*part[] = { "main", "a\n{{>p}}\nb", "p", "P\n",
			    NULL };
	const char	*eof[] = { "main", "a\n{{>p}}", "p", "P", NULL };

	R("a\n{{#t}}\nb\n{{/t}}\nc\n", "{\"t\":true}", "a\nb\nc\n");
	R("a\n{{#t}}\nb\n{{/t}}\nc\n", "{\"t\":false}", "a\nc\n");
	R("a\n  {{#t}}\n  b\n\t{{/t}}  \nc", "{\"t\":true}", "a\n  b\nc");
	R("a\n{{^t}}\nb\n{{/t}}\nc", "{\"t\":false}", "a\nb\nc");
	R("a\r\n{{#t}}\r\nb\r\n{{/t}}\r\nc", "{\"t\":true}", "a\r\nb\r\nc");
	R("<ul>\n{{#l}}\n  <li>{{.}}</li>\n{{/l}}\n</ul>\n",
	    "{\"l\":[1,2]}", "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>\n");
	/* First and last lines of the template. */
	R("  {{#t}}\n#{{/t}}\n/", "{\"t\":true}", "#\n/");
	R("#{{#t}}\n/\n  {{/t}}", "{\"t\":true}", "#\n/\n");
	/* Not alone on the line: everything stays. */
	R(" {{#t}}x{{/t}} \n", "{\"t\":true}", " x \n");
	R("a {{#t}}\nb{{/t}}", "{\"t\":true}", "a \nb");
	R("{{#t}} b\n{{/t}}", "{\"t\":true}", " b\n");
	R("{{#t}}{{/t}}\n", "{\"t\":true}", "\n");
	/* Variables are never standalone. */
	R("  {{x}}\n", "{\"x\":\"v\"}", "  v\n");
	R("  {{{x}}}\n", "{}", "  \n");
	RS(part, "{}", "a\nP\nb");
	RS(eof, "{}", "a\nP");
}
END_TEST

START_TEST(test_numbers_and_literals)
{
	R("{{i}} {{n}} {{big}}", "{\"i\":42,\"n\":-7,"
	    "\"big\":9007199254740993}", "42 -7 9007199254740993");
	R("{{a}} {{b}} {{c}} {{d}} {{e}} {{f}} {{g}}",
	    "{\"a\":1.5,\"b\":0.1,\"c\":2.0,\"d\":1e300,\"e\":-0.25,"
	    "\"f\":0.3333333333333333,\"g\":1e-7}",
	    "1.5 0.1 2.0 1e+300 -0.25 0.3333333333333333 1e-07");
	R("{{t}} {{f}} [{{z}}]", "{\"t\":true,\"f\":false,\"z\":null}",
	    "true false []");
	R("[{{o}}][{{a}}][{{{o}}}]", "{\"o\":{\"k\":1},\"a\":[1,2]}",
	    "[][][]");
}
END_TEST

START_TEST(test_malformed)
{
	E("a\n{{name", "t:2: unclosed tag");
	E("a\n{{name}", "t:2: unclosed tag");
	E("{{", "t:1: unclosed tag");
	E("{{! never closed\n", "t:1: unclosed tag");
	E("a\n\n{{{name}}", "t:3: unclosed tag, want \"}}}\"");
	E("{{{name}} }", "t:1: unclosed tag, want \"}}}\"");

	E("{{}}", "t:1: empty tag name");
	E("x\n{{ }}", "t:2: empty tag name");
	E("{{#}}{{/}}", "t:1: empty tag name");
	E("{{^ }}", "t:1: empty tag name");
	E("{{/}}", "t:1: empty tag name");
	E("{{>}}", "t:1: empty tag name");
	E("{{&}}", "t:1: empty tag name");
	E("{{{ }}}", "t:1: empty tag name");

	E("{{a b}}", "t:1: invalid tag name \"a b\"");
	E("{{a..b}}", "t:1: invalid tag name \"a..b\"");
	E("{{.a}}", "t:1: invalid tag name \".a\"");
	E("{{#a.}}{{/a.}}", "t:1: invalid tag name \"a.\"");
	E("{{> a b}}", "t:1: invalid tag name \"a b\"");

	E("x\n{{#a}}\ny\n", "t:2: unclosed section \"a\"");
	E("{{#a}}\n{{^b}}\n{{/b}}\n", "t:1: unclosed section \"a\"");
	E("{{#a}}\n{{#b}}\n{{/a}}\n{{/b}}",
	    "t:3: close tag \"a\" does not match \"b\" opened on line 2");
	E("{{#a}}\n\n{{/b}}", "t:3: close tag \"b\" does not match \"a\" "
	    "opened on line 1");
	E("a\n{{/a}}", "t:2: close tag \"a\" without open section");
	E("{{#a}}{{/a}}\n{{/a}}", "t:2: close tag \"a\" without open section");

	E("x\n{{=<% %>=}}", "t:2: set-delimiter tags are not supported");
	E("{{= | | =}}", "t:1: set-delimiter tags are not supported");
	E("{{<parent}}{{/parent}}", "t:1: unsupported tag \"{{<\"");
	E("{{$block}}{{/block}}", "t:1: unsupported tag \"{{$\"");

	/* Multi-line tags and CRLF keep the line count right. */
	E("{{! a\nb }}\r\n\r\n{{/x}}", "t:4: close tag \"x\" without open "
	    "section");
	E("{{#a\n}}\n{{/b}}", "t:3: close tag \"b\" does not match \"a\" "
	    "opened on line 1");
}
END_TEST

START_TEST(test_unknown_partial)
{
	struct tmpl_set	*set;
	char		 err[TMPL_ERRLEN];
	const char	*src = "a\n\n  {{> nope}}\n";

	ck_assert_ptr_nonnull(set = tmpl_set_new());
	ck_assert_int_eq(tmpl_set_add(set, "main", src, strlen(src), err,
	    sizeof(err)), 0);
	ck_assert_int_eq(tmpl_set_resolve(set, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "main:3: unknown partial \"nope\"");

	/* Nested in a section, too. */
	src = "{{#a}}\n{{/a}}{{#b}}{{>x}}{{/b}}";
	ck_assert_int_eq(tmpl_set_add(set, "other", src, strlen(src), err,
	    sizeof(err)), 0);
	ck_assert_int_eq(tmpl_set_add(set, "nope", "", 0, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(tmpl_set_resolve(set, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "other:2: unknown partial \"x\"");
	tmpl_set_free(set);
}
END_TEST

START_TEST(test_set_api)
{
	struct tmpl_set	*set;
	struct out	 o;
	char		 err[TMPL_ERRLEN], *big;
	const char	*self = "{{>self}}";

	ck_assert_ptr_nonnull(set = tmpl_set_new());
	ck_assert_int_eq(tmpl_set_add(set, "t", "x", 1, err, sizeof(err)), 0);
	ck_assert_int_eq(tmpl_set_add(set, "t", "y", 1, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "t: duplicate template \"t\"");
	ck_assert_int_eq(tmpl_set_add(set, "", "y", 1, err, sizeof(err)), -1);

	/* err may be NULL. */
	ck_assert_int_eq(tmpl_set_add(set, "u", "{{", 2, NULL, 0), -1);
	ck_assert_int_eq(tmpl_set_add(set, "u", "{{", 2, err, 1), -1);
	ck_assert_str_eq(err, "");

	ck_assert_ptr_nonnull(big = malloc(1024 * 1024 + 1));
	memset(big, 'x', 1024 * 1024 + 1);
	ck_assert_int_eq(tmpl_set_add(set, "big", big, 1024 * 1024 + 1, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "big: larger than 1048576 bytes");
	ck_assert_int_eq(tmpl_set_add(set, "big", big, 1024 * 1024, err,
	    sizeof(err)), 0);
	free(big);

	ck_assert(tmpl_exists(set, "t"));
	ck_assert(tmpl_exists(set, "big"));
	ck_assert(!tmpl_exists(set, "u"));
	ck_assert(!tmpl_exists(set, "T"));
	ck_assert(!tmpl_exists(NULL, "t"));
	ck_assert(!tmpl_exists(set, NULL));

	out_init(&o);
	ck_assert_int_eq(tmpl_render(set, "nope", NULL, out_write, &o), -1);
	ck_assert_int_eq(tmpl_render(NULL, "t", NULL, out_write, &o), -1);
	ck_assert_int_eq(tmpl_render(set, "t", NULL, NULL, &o), -1);
	ck_assert_int_eq(o.calls, 0);

	/* A partial that was never resolved fails the render. */
	ck_assert_int_eq(tmpl_set_add(set, "self", self, strlen(self), err,
	    sizeof(err)), 0);
	ck_assert_int_eq(tmpl_render(set, "self", NULL, out_write, &o), -1);

	ck_assert_int_eq(tmpl_set_resolve(set, err, sizeof(err)), 0);
	ck_assert_int_eq(tmpl_render(set, "t", NULL, out_write, &o), 0);
	ck_assert_str_eq(out_str(&o), "x");
	free(o.p);

	tmpl_set_free(set);
	tmpl_set_free(NULL);
}
END_TEST

START_TEST(test_binary_text)
{
	struct tmpl_set	*set;
	struct out	 o;
	char		 err[TMPL_ERRLEN];

	/* Text is bytes: a NUL in it passes through. */
	ck_assert_ptr_nonnull(set = tmpl_set_new());
	ck_assert_int_eq(tmpl_set_add(set, "t", "a\0b{{x}}", 8, err,
	    sizeof(err)), 0);
	out_init(&o);
	ck_assert_int_eq(tmpl_render(set, "t", NULL, out_write, &o), 0);
	ck_assert_uint_eq(o.len, 3);
	ck_assert(memcmp(o.p, "a\0b", 3) == 0);
	free(o.p);
	tmpl_set_free(set);
}
END_TEST

/* {"c":{"c":...{"c":false}}}: n objects under "c" keys, then false. */
static char *
chain(int n)
{
	char		*s, *p;
	int		 i;

	ck_assert_ptr_nonnull(s = malloc((size_t)n * 6 + 16));
	p = s;
	for (i = 0; i <= n; i++) {
		memcpy(p, "{\"c\":", 5);
		p += 5;
	}
	memcpy(p, "false", 5);
	p += 5;
	for (i = 0; i <= n; i++)
		*p++ = '}';
	*p = '\0';

	return (s);
}

START_TEST(test_recursion_limit)
{
	const char	*self[] = { "self", "x{{>self}}", NULL };
	const char	*mutual[] = { "a", "{{>b}}", "b", "{{>a}}", NULL };
	const char	*walk[] = { "node", "{{#c}}.{{>node}}{{/c}}", NULL };
	const char	*leak[] = { "node", "{{#c}}{{>node}}{{/c}}", NULL };
	struct out	 o;
	char		*json, *src, *p;
	int		 i;

	out_init(&o);
	ck_assert_int_eq(render_set_rc(self, "{}", &o), -1);
	ck_assert_int_eq(o.len, TMPL_MAXDEPTH + 1);
	free(o.p);

	out_init(&o);
	ck_assert_int_eq(render_set_rc(mutual, "{}", &o), -1);
	free(o.p);

	/* Each level is a section plus a partial: 32 fit in 64, 33 not. */
	json = chain(TMPL_MAXDEPTH / 2);
	out_init(&o);
	ck_assert_int_eq(render_set_rc(walk, json, &o), 0);
	ck_assert_int_eq(o.len, TMPL_MAXDEPTH / 2);
	free(o.p);
	free(json);

	json = chain(TMPL_MAXDEPTH / 2 + 1);
	out_init(&o);
	ck_assert_int_eq(render_set_rc(walk, json, &o), -1);
	free(o.p);
	free(json);

	/* A leaf without "c" finds its parent's: endless, but caught. */
	out_init(&o);
	ck_assert_int_eq(render_set_rc(leak, "{\"c\":{\"c\":{}}}", &o), -1);
	free(o.p);

	/* Sections nested TMPL_MAXDEPTH deep load; one more does not. */
	ck_assert_ptr_nonnull(src = malloc((TMPL_MAXDEPTH + 1) * 12 + 1));
	p = src;
	for (i = 0; i < TMPL_MAXDEPTH; i++)
		p += sprintf(p, "{{#a}}");
	for (i = 0; i < TMPL_MAXDEPTH; i++)
		p += sprintf(p, "{{/a}}");
	R(src, "{\"a\":true}", "");

	p = src;
	for (i = 0; i < TMPL_MAXDEPTH + 1; i++)
		p += sprintf(p, "{{#a}}");
	E(src, "t:1: sections nested too deeply");
	free(src);
}
END_TEST

START_TEST(test_writer_failure)
{
	const char	*tmpls[] = { "main",
			    "a{{x}}b{{{x}}}{{#l}}{{.}}{{/l}}"
			    "{{^f}}i{{/f}}{{>p}}",
			    "p", "P{{n}}{{t}}", NULL };
	const char	*json = "{\"x\":\"<&>\",\"l\":[1,\"s\"],\"n\":2.5,"
			    "\"t\":true}";
	struct out	 o;
	int		 i, total;

	out_init(&o);
	ck_assert_int_eq(render_set_rc(tmpls, json, &o), 0);
	ck_assert_str_eq(out_str(&o), "a&lt;&amp;&gt;b<&>1siP2.5true");
	total = o.calls;
	free(o.p);

	/* Whichever write fails, the render stops and says so. */
	for (i = 0; i < total; i++) {
		out_init(&o);
		o.fail_at = i;
		ck_assert_msg(render_set_rc(tmpls, json, &o) == -1,
		    "failing write %d of %d not reported", i, total);
		ck_assert_int_eq(o.calls, i);
		free(o.p);
	}

	out_init(&o);
	o.fail_at = 1;
	ck_assert_int_eq(tmpl_escape("a<b", 3, out_write, &o), -1);
	free(o.p);
}
END_TEST

START_TEST(test_load_dir)
{
	const struct file	 files[] = {
		{ "layout.html", "<title>{{title}}</title>\n"
		    "{{> partials/nav}}\n"
		    "<main>{{> partials/deep/item}}</main>\n" },
		{ "partials/nav.html",
		    "<nav>{{#links}}<a>{{.}}</a>{{/links}}</nav>\n" },
		{ "partials/deep/item.html", "{{title}}!" },
		{ ".hidden.html", "{{#broken" },
		{ ".git/bad.html", "{{#broken" },
		{ "notes.txt", "{{#broken" },
		{ "old.htm", "{{#broken" },
		{ "partials/x.html.bak", "{{#broken" },
		{ NULL, NULL }
	};
	struct tmpl_set		*set;
	struct out		 o;
	json_t			*view;
	char			 dir[] = "/tmp/tmpl_test.XXXXXX";
	char			 slashed[64], err[TMPL_ERRLEN];

	make_tree(dir, files);

	set = tmpl_set_load(dir, err, sizeof(err));
	ck_assert_msg(set != NULL, "%s", err);
	ck_assert(tmpl_exists(set, "layout"));
	ck_assert(tmpl_exists(set, "partials/nav"));
	ck_assert(tmpl_exists(set, "partials/deep/item"));
	ck_assert(!tmpl_exists(set, "layout.html"));
	ck_assert(!tmpl_exists(set, ".hidden"));
	ck_assert(!tmpl_exists(set, ".git/bad"));
	ck_assert(!tmpl_exists(set, "notes"));
	ck_assert(!tmpl_exists(set, "old"));

	view = parse_json(__LINE__,
	    "{\"title\":\"T&C\",\"links\":[\"a\",\"b\"]}");
	out_init(&o);
	ck_assert_int_eq(tmpl_render(set, "layout", view, out_write, &o), 0);
	ck_assert_str_eq(out_str(&o), "<title>T&amp;C</title>\n"
	    "<nav><a>a</a><a>b</a></nav>\n<main>T&amp;C!</main>\n");
	free(o.p);
	json_decref(view);
	tmpl_set_free(set);

	/* A trailing slash on the directory changes nothing. */
	(void)snprintf(slashed, sizeof(slashed), "%s/", dir);
	set = tmpl_set_load(slashed, err, sizeof(err));
	ck_assert_msg(set != NULL, "%s", err);
	ck_assert(tmpl_exists(set, "partials/deep/item"));
	tmpl_set_free(set);

	rm_tree(dir);
}
END_TEST

START_TEST(test_load_empty_dir)
{
	const struct file	 files[] = { { NULL, NULL } };
	struct tmpl_set		*set;
	char			 dir[] = "/tmp/tmpl_test.XXXXXX";
	char			 err[TMPL_ERRLEN];

	make_tree(dir, files);
	set = tmpl_set_load(dir, err, sizeof(err));
	ck_assert_msg(set != NULL, "%s", err);
	ck_assert(!tmpl_exists(set, ""));
	tmpl_set_free(set);
	rm_tree(dir);
}
END_TEST

/* Loading dir made from files must fail with "<dir>/<suffix>". */
static void
check_load_error(int line, const struct file *files, const char *suffix)
{
	char		 dir[] = "/tmp/tmpl_test.XXXXXX";
	char		 err[TMPL_ERRLEN], want[TMPL_ERRLEN];

	make_tree(dir, files);
	err[0] = '\0';
	ck_assert_msg(tmpl_set_load(dir, err, sizeof(err)) == NULL,
	    "line %d: loaded", line);
	(void)snprintf(want, sizeof(want), "%s/%s", dir, suffix);
	ck_assert_msg(strcmp(err, want) == 0, "line %d: got \"%s\", want "
	    "\"%s\"", line, err, want);
	rm_tree(dir);
}

START_TEST(test_load_errors)
{
	const struct file	 syntax[] = {
		{ "ok.html", "fine" },
		{ "sub/bad.html", "line1\n{{#open}}\n" },
		{ NULL, NULL }
	};
	const struct file	 partial[] = {
		{ "a.html", "{{>sub/p}}" },
		{ "sub/p.html", "\n{{> nope}}" },
		{ NULL, NULL }
	};
	const struct file	 delim[] = {
		{ "d/e/f.html", "\n\n\n{{=<% %>=}}" },
		{ NULL, NULL }
	};
	char			 dir[] = "/tmp/tmpl_test.XXXXXX";
	char			 loopdir[] = "/tmp/tmpl_test.XXXXXX";
	char			 err[TMPL_ERRLEN], want[TMPL_ERRLEN], *big;
	size_t			 len;

	check_load_error(__LINE__, syntax,
	    "sub/bad.html:2: unclosed section \"open\"");
	check_load_error(__LINE__, partial,
	    "sub/p.html:2: unknown partial \"nope\"");
	check_load_error(__LINE__, delim,
	    "d/e/f.html:4: set-delimiter tags are not supported");

	/* Too big a file. */
	len = 1024 * 1024 + 1;
	ck_assert_ptr_nonnull(big = malloc(len));
	memset(big, 'x', len);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_file(dir, "big.html", big, len);
	free(big);
	ck_assert_ptr_null(tmpl_set_load(dir, err, sizeof(err)));
	(void)snprintf(want, sizeof(want), "%s/big.html: larger than "
	    "1048576 bytes", dir);
	ck_assert_str_eq(err, want);
	rm_tree(dir);

	/* A symlink loop ends in an error, not a hang. */
	ck_assert_ptr_nonnull(mkdtemp(loopdir));
	write_file(loopdir, "a.html", "a", 1);
	(void)snprintf(want, sizeof(want), "%s/loop", loopdir);
	ck_assert_int_eq(symlink(loopdir, want), 0);
	ck_assert_ptr_null(tmpl_set_load(loopdir, err, sizeof(err)));
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0 &&
	    strstr(err, "/loop/loop: directories nested too deeply") != NULL,
	    "%s", err);
	rm_tree(loopdir);

	/* No such directory. */
	ck_assert_ptr_null(tmpl_set_load(dir, err, sizeof(err)));
	(void)snprintf(want, sizeof(want), "%s: %s", dir, strerror(ENOENT));
	ck_assert_str_eq(err, want);

	ck_assert_ptr_null(tmpl_set_load("", err, sizeof(err)));
	ck_assert_ptr_null(tmpl_set_load(NULL, NULL, 0));
}
END_TEST

Suite *
tmpl_suite(void)
{
	const TTest	*render[] = {
	    test_escape_function, test_variables, test_raw, test_dotted,
	    test_implicit_iterator, test_context_stack, test_sections,
	    test_inverted, test_comments, test_partials, test_standalone,
	    test_numbers_and_literals, test_binary_text, test_recursion_limit,
	    test_writer_failure, NULL
	};
	const TTest	*load[] = {
	    test_malformed, test_unknown_partial, test_set_api, test_load_dir,
	    test_load_empty_dir, test_load_errors, NULL
	};
	Suite		*s;

	s = unit_suite("tmpl", "render", 0, render);
	unit_tcase(s, "load", 0, load);
	return (s);
}
