'use strict';
// The canary: what a person does first, checked every 5 minutes in production by CloudWatch
// Synthetics (handler, below) and after every staging deploy by the pipeline (run.js): the
// app is ready (/health/ready), signing in through the Cognito hosted UI works, the
// dashboard opens, a todo can be added and deleted again.
//
// Selectors go by what a person reads (labels, button texts), not by ids or layout, so that
// a redesigned page keeps passing as long as a person could still use it. Confirm dialogs
// are accepted, as a person who meant to delete would.

const TIMEOUT_MS = 20000;

function visible(locator) {
  return locator.filter({ visible: true }).first();
}

// Runs the steps on a Playwright page. `step(name, fn)` wraps each one (Synthetics records
// it as a step with its own screenshot; run.js logs it).
async function checkTodoApp(page, { baseUrl, username, password }, step) {
  const base = baseUrl.replace(/\/+$/, '');
  const title = `Canary ${new Date().toISOString()} ${Math.random().toString(36).slice(2, 8)}`;
  page.setDefaultTimeout(TIMEOUT_MS);
  page.on('dialog', (dialog) => dialog.accept());

  await step('ready', async () => {
    const response = await page.request.get(`${base}/health/ready`, { timeout: TIMEOUT_MS });
    if (response.status() !== 200) {
      throw new Error(`/health/ready answered ${response.status()}: ${await response.text()}`);
    }
  });

  await step('sign-in', async () => {
    await page.goto(`${base}/login`);
    await visible(page.getByRole('button', { name: /log ?in|sign ?in/i })).click();
    // The hosted UI (Cognito's, or the local stand-in): a username and a password field.
    await visible(
      page.getByLabel(/user ?name|e-?mail/i).or(page.locator('input[name="username"]')),
    ).fill(username);
    await visible(
      page.getByLabel(/^password$/i).or(page.locator('input[name="password"]')),
    ).fill(password);
    await visible(page.getByRole('button', { name: /^sign ?in$|^log ?in$|^next$/i })).click();
    // Back at the app, or an error on the hosted UI (said at once rather than timing out).
    const signedIn = page
      .waitForURL((url) => url.href.startsWith(`${base}/`) && !url.pathname.startsWith('/login'))
      .then(() => null);
    const refused = visible(page.getByText(/incorrect|invalid|wrong|not exist|try again/i))
      .waitFor()
      .then(async () => page.getByText(/incorrect|invalid|wrong|not exist|try again/i).first().innerText());
    const error = await Promise.race([signedIn, refused]);
    if (error !== null) {
      throw new Error(`the hosted UI refused the sign-in: ${error.trim()}`);
    }
  });

  await step('dashboard', async () => {
    const response = await page.goto(`${base}/dashboard`);
    if (!response || response.status() !== 200 || !page.url().startsWith(`${base}/dashboard`)) {
      throw new Error(`the dashboard did not open (${response && response.status()} at ${page.url()})`);
    }
  });

  await step('add-todo', async () => {
    await page.goto(`${base}/todo/add`);
    const titleField = visible(page.getByLabel(/^title/i));
    await titleField.fill(title);
    await visible(page.getByLabel(/^description/i)).fill('Added and deleted by the canary');
    const form = page.locator('form').filter({ has: page.getByLabel(/^title/i) });
    const formUrl = page.url();
    await visible(
      form.getByRole('button', { name: /create|add|save/i }).or(form.locator('[type="submit"]')),
    ).click();
    await page.waitForURL((url) => url.href !== formUrl);
    await visible(page.getByText(title)).waitFor();
  });

  await step('delete-todo', async () => {
    await page.goto(`${base}/dashboard`);
    await visible(page.getByRole('link', { name: title })).click();
    await page.waitForLoadState();
    const todoUrl = page.url();
    await visible(page.getByRole('button', { name: /^delete\b/i })).click();
    await page.waitForURL((url) => url.href !== todoUrl);
    await page.goto(`${base}/dashboard`);
    if ((await page.getByText(title).count()) !== 0) {
      throw new Error(`the todo "${title}" is still on the dashboard after deleting it`);
    }
  });
}

// CloudWatch Synthetics (runtime syn-nodejs-playwright-6.0): the canary user's name and
// password come from the Secrets Manager secret CANARY_SECRET_ID, the app's URL from BASE_URL.
async function handler() {
  // Provided by the Synthetics runtime (and the AWS SDK by its Lambda runtime).
  const { synthetics } = require('@aws/synthetics-playwright');
  const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
  const secret = await new SecretsManagerClient({}).send(
    new GetSecretValueCommand({ SecretId: process.env.CANARY_SECRET_ID }),
  );
  const { username, password } = JSON.parse(secret.SecretString);
  const browser = await synthetics.launch();
  try {
    const context = await browser.newContext();
    const page = await synthetics.newPage(context);
    await checkTodoApp(page, { baseUrl: process.env.BASE_URL, username, password }, (name, fn) =>
      synthetics.executeStep(name, fn),
    );
  } finally {
    await synthetics.close();
  }
}

module.exports = { checkTodoApp, handler };
