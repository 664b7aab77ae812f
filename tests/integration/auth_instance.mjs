// A second instance of the app for tests that need other settings (a
// provider that is down or misbehaves, short session lifetimes, https):
// the same sanitizer build, configuration and database as tests/run.sh
// uses, with some settings overridden from the environment.  With
// { sanitizers: false }, the optimised build instead: one that must exit
// at start-up (a bad setting) exits there, its message written, where the
// sanitizer runtime can hang in exit handlers (see stop()).  { workers: n }
// runs n Kore workers instead of the configured number.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync, closeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { sleep, poll } from '../lib/wait.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export class AppInstance {
  constructor(name, port, env, { sanitizers = true, workers = null } = {}) {
    this.name = name;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.env = env;
    this.sanitizers = sanitizers;
    this.workers = workers;
    this.dir = join(process.env.CDOT_TEST_WORK ?? join(ROOT, 'var/test'), name);
    this.log = join(this.dir, 'app.log');
    this.proc = null;
  }

  async start() {
    mkdirSync(this.dir, { recursive: true });
    const conf = join(this.dir, 'kore.conf');
    execFileSync(join(ROOT, 'conf/dev/kore-conf.sh'), [conf, String(this.port),
      join(ROOT, this.sanitizers ? 'build/asan/app.so' : 'build/app.so'),
      join(this.dir, 'kore.pid')]);
    if (this.workers !== null) {
      writeFileSync(conf, readFileSync(conf, 'utf8')
        .replace(/^workers .*$/m, `workers ${this.workers}`));
    }
    const lib = (n) => execFileSync('gcc', [`-print-file-name=${n}`]).toString().trim();
    const fd = openSync(this.log, 'a');
    this.proc = spawn('kore', ['-c', conf, '-f', '-n', '-r'], {
      cwd: ROOT,
      detached: true,       // its own process group, workers included
      stdio: ['ignore', fd, fd],
      env: {
        ...process.env,
        LD_PRELOAD: this.sanitizers ? `${lib('libasan.so')} ${lib('libubsan.so')}` : '',
        ASAN_OPTIONS: 'detect_leaks=0:verify_asan_link_order=0',
        UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
        CDOT_BASE_URL: this.url,
        CDOT_ROUTES_FILE: '',
        ...this.env,
      },
    });
    closeSync(fd);
    this.exited = new Promise((resolve) => this.proc.on('exit', resolve));
    // Until it answers, or has exited.
    const up = await poll(async () => {
      try {
        if ((await fetch(`${this.url}/healthz`)).ok) return 'up';
      } catch { /* not up yet */ }
      return this.proc.exitCode !== null && 'exited';
    }, 15000);
    if (up === 'up') return;
    throw new Error(`${this.name} did not start:\n${this.logText().slice(-2000)}`);
  }

  logText() {
    try { return readFileSync(this.log, 'utf8'); } catch { return ''; }
  }

  // Kore's parent stops its workers on SIGTERM.  With libasan preloaded
  // into kore, a process that ever formatted an errno message can hang in
  // its exit handlers (glibc's locale lock, from p11-kit's destructor), so
  // whatever is left of the group after a grace period is killed.
  async stop() {
    if (!this.proc) return;
    const group = -this.proc.pid;
    if (this.proc.exitCode === null) {
      try { process.kill(group, 'SIGTERM'); } catch { /* gone */ }
      await Promise.race([this.exited, sleep(5000)]);
    }
    try { process.kill(group, 'SIGKILL'); } catch { /* all gone */ }
    await this.exited;
  }

  // Sanitizer or sandbox reports in the instance's log.
  problems() {
    return this.logText().split('\n')
      .filter((l) => /AddressSanitizer|runtime error:|LeakSanitizer|seccomp/.test(l) &&
        !/seccomp sandbox enabled|seccomp tracing enabled/.test(l));
  }
}
