// Waits until the server under test reports ready: cargo-leptos starts it without waiting.
export default async function globalSetup() {
  const base = `http://${process.env.LEPTOS_SITE_ADDR ?? '127.0.0.1:3000'}`;
  const deadline = Date.now() + 180_000;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${base}/readyz`);
      if (response.ok) return;
      last = `status ${response.status}: ${await response.text()}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`server at ${base} never became ready: ${last}`);
}
