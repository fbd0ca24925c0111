// Prints the closing `N passed, N failed` line; a skipped test counts as a failure in CI.
import fs from 'node:fs';

const [file, statusText] = process.argv.slice(2);
const status = Number(statusText);
if (!fs.existsSync(file)) {
  console.log('test runner wrote no results');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const r = JSON.parse(fs.readFileSync(file, 'utf8'));
const passed = r.numPassedTests ?? 0;
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
const failedSuites = (r.testResults ?? []).filter((t) => t.status === 'failed' && (t.assertionResults ?? []).length === 0).length;
const failed = (r.numFailedTests ?? 0) + failedSuites + skipped;
if (skipped > 0) {
  console.log(`${skipped} test(s) were skipped; CI requires every suite:`);
  for (const t of r.testResults ?? []) {
    for (const a of t.assertionResults ?? []) if (a.status === 'pending' || a.status === 'skipped' || a.status === 'todo') console.log(`  skipped: ${a.fullName}`);
  }
}
if (failedSuites > 0) console.log(`${failedSuites} test file(s) failed to load`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(status !== 0 || failed > 0 || passed === 0 ? 1 : 0);
