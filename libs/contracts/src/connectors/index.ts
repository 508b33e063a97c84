export * from './crm';
export * from './pos';
export * from './sendgrid';
export * from './shopify';
export * from './social';
