'use strict';
// The canary's steps (canary.js) in a local Chromium, outside CloudWatch Synthetics: the
// pipeline's smoke test after a staging deploy, and `make test` against `make run`.
//   BASE_URL=https://… CANARY_USERNAME=… CANARY_PASSWORD=… node deploy/canary/run.js
// CHROMIUM names the browser (default /usr/bin/chromium). Exits 0 when every step passed.
const { chromium } = require('playwright-core');
const { checkTodoApp } = require('./canary');

async function main() {
  const config = {
    baseUrl: required('BASE_URL'),
    username: required('CANARY_USERNAME'),
    password: required('CANARY_PASSWORD'),
  };
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage();
    await checkTodoApp(page, config, async (name, fn) => {
      const started = Date.now();
      try {
        await fn();
      } catch (error) {
        console.log(`step ${name}: failed after ${Date.now() - started} ms at ${page.url()}`);
        throw error;
      }
      console.log(`step ${name}: passed in ${Date.now() - started} ms`);
    });
  } finally {
    await browser.close();
  }
}

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
}

main().then(
  () => console.log('canary: passed'),
  (error) => {
    console.error(`canary: failed: ${error && error.stack ? error.stack : error}`);
    process.exitCode = 1;
  },
);
