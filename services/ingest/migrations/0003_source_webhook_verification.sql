-- Webhook authenticity per source: which vendor's signature the source's webhooks must carry and
-- the credential to check it with. SendGrid's credential is its public verification key (base64
-- SubjectPublicKeyInfo; public, kept readable so operators can compare it with SendGrid's page).
-- Shopify's is the app's client secret, an HMAC key: stored only as an `e1.` envelope
-- (@tessera/crypto FieldEncryptor, INGEST_SECRETS_KEYRING), bound to the source id.
ALTER TABLE sources ADD COLUMN IF NOT EXISTS webhook_vendor text CHECK (webhook_vendor IN ('sendgrid', 'shopify'));
ALTER TABLE sources ADD COLUMN IF NOT EXISTS webhook_credential text;
-- SendGrid signs a timestamp; NULL: the service default (INGEST_WEBHOOK_TOLERANCE_SECONDS).
ALTER TABLE sources ADD COLUMN IF NOT EXISTS webhook_tolerance_seconds integer
  CHECK (webhook_tolerance_seconds BETWEEN 10 AND 86400);
ALTER TABLE sources ADD COLUMN IF NOT EXISTS webhook_updated_at timestamptz;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'sources_webhook_complete' AND conrelid = 'sources'::regclass) THEN
    ALTER TABLE sources ADD CONSTRAINT sources_webhook_complete CHECK (
      (webhook_vendor IS NULL AND webhook_credential IS NULL)
      OR (webhook_vendor IS NOT NULL AND webhook_credential IS NOT NULL AND webhook_updated_at IS NOT NULL)
    );
  END IF;
END
$$;
