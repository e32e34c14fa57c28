import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

const DOVECOT = '/usr/sbin/dovecot';

export interface DovecotServer {
  host: string;
  port: number;
  user: string;
  password: string;
  /** `imap://user:password@127.0.0.1:port` */
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForGreeting(port: number, deadline: number): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('data', (d) => {
        socket.destroy();
        resolve(d.toString().startsWith('* OK'));
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`dovecot did not answer on port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A real IMAP server for tests: Debian's Dovecot (scripts/install.sh installs dovecot-imapd),
 * started in the foreground with a generated configuration in a temporary folder, listening on
 * 127.0.0.1 only, one user with a plain password, Maildir storage. Run as root (CI), its login
 * and internal processes drop to the package's unprivileged users and mail is stored as nobody;
 * run as anyone else, everything runs as that user.
 */
export async function startDovecot(): Promise<DovecotServer> {
  if (!existsSync(DOVECOT))
    throw new Error(
      `${DOVECOT} is missing: run scripts/install.sh (apt-get install dovecot-imapd)`,
    );
  const dir = await mkdtemp(path.join(tmpdir(), 'perimeter-dovecot-'));
  // Dovecot's unprivileged processes must reach the configuration and the password file.
  await chmod(dir, 0o755);
  const port = await freePort();
  const user = 'dmarc';
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const root = process.getuid?.() === 0;
  const me = userInfo().username;
  const mailOwner = root ? { user: 'nobody', group: 'nogroup' } : { user: me, group: me };
  for (const d of ['run', 'state', 'mail', 'home']) await mkdir(path.join(dir, d));
  if (root) {
    const nobody = { uid: 65534, gid: 65534 };
    await chown(path.join(dir, 'mail'), nobody.uid, nobody.gid);
    await chown(path.join(dir, 'home'), nobody.uid, nobody.gid);
  }
  await writeFile(path.join(dir, 'users'), `${user}:{PLAIN}${password}\n`, { mode: 0o644 });
  const config = `
base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = perimeter-test-${port}
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${dir}/mail/%u
default_internal_user = ${root ? 'dovecot' : me}
default_internal_group = ${root ? 'dovecot' : me}
default_login_user = ${root ? 'dovenull' : me}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=${mailOwner.user} gid=${mailOwner.group} home=${dir}/home/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`;
  const configFile = path.join(dir, 'dovecot.conf');
  await writeFile(configFile, config, { mode: 0o644 });
  const child: ChildProcess = spawn(DOVECOT, ['-F', '-c', configFile], { stdio: 'ignore' });
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    await waitForGreeting(port, Date.now() + 10_000);
  } catch (err) {
    child.kill('SIGTERM');
    throw err;
  }
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    url: `imap://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    async stop() {
      if (!exited) {
        const done = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await done;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
