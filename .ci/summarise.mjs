// Prints the closing `N passed, N failed` line over every run of the suites
// (one per Node version): a run that failed, wrote no results or ran no test
// fails CI, and a skipped test counts as a failure.
// Usage: node .ci/summarise.mjs LABEL RESULTS.json EXIT_STATUS [LABEL RESULTS.json EXIT_STATUS ...]
import fs from 'node:fs';

function summarise(label, file, status) {
  if (!fs.existsSync(file)) {
    console.log(`${label}: the test runner wrote no results`);
    return { passed: 0, failed: 1, ok: false };
  }
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  const passed = r.numPassedTests ?? 0;
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  const failedSuites = (r.testResults ?? []).filter((t) => t.status === 'failed' && (t.assertionResults ?? []).length === 0).length;
  const failed = (r.numFailedTests ?? 0) + failedSuites + skipped;
  if (skipped > 0) {
    console.log(`${label}: ${skipped} test(s) were skipped; CI requires every suite:`);
    for (const t of r.testResults ?? []) {
      for (const a of t.assertionResults ?? []) if (a.status === 'pending' || a.status === 'skipped' || a.status === 'todo') console.log(`  skipped: ${a.fullName}`);
    }
  }
  if (failedSuites > 0) console.log(`${label}: ${failedSuites} test file(s) failed to load`);
  if (passed === 0) console.log(`${label}: no test ran`);
  console.log(`${label} run - ${passed} passed, ${failed} failed${status === 0 ? '' : ` (exit status ${status})`}`);
  return { passed, failed, ok: status === 0 && failed === 0 && passed > 0 };
}

const args = process.argv.slice(2);
if (args.length === 0 || args.length % 3 !== 0) {
  console.log('usage: summarise.mjs LABEL RESULTS.json EXIT_STATUS [...]');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const runs = [];
for (let i = 0; i < args.length; i += 3) runs.push(summarise(args[i], args[i + 1], Number(args[i + 2])));
// A run that failed without a failing test (a crash, an empty run) still counts as one failure.
const passed = runs.reduce((n, r) => n + r.passed, 0);
const failed = runs.reduce((n, r) => n + r.failed, 0) + runs.filter((r) => !r.ok && r.failed === 0).length;
console.log(`${passed} passed, ${failed} failed`);
process.exit(runs.every((r) => r.ok) ? 0 : 1);
