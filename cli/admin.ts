import { runAdminCli } from './admin-cli.js';

// `npm run admin -- …`: the operator CLI (see cli/admin-cli.ts).
process.exitCode = await runAdminCli(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
