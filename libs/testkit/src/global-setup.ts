// Placeholder replaced by the testkit implementation (infrastructure detection and start-up).
export default async function globalSetup(): Promise<void> {}
