/** Word lists the generator draws from. Small on purpose: collisions (two John Smiths) are realistic. */
export const FirstNames = [
  'James',
  'Mary',
  'John',
  'Patricia',
  'Robert',
  'Jennifer',
  'Michael',
  'Linda',
  'David',
  'Elizabeth',
  'William',
  'Barbara',
  'Richard',
  'Susan',
  'Joseph',
  'Jessica',
  'Thomas',
  'Sarah',
  'Charles',
  'Karen',
  'Daniel',
  'Nancy',
  'Matthew',
  'Lisa',
  'Anthony',
  'Betty',
  'Mark',
  'Sandra',
  'Paul',
  'Ashley',
  'Steven',
  'Emily',
  'Andrew',
  'Michelle',
  'Kenneth',
  'Amanda',
  'Joshua',
  'Melissa',
  'Kevin',
  'Laura',
  'Sophie',
  'Lukas',
  'Hannah',
  'Leon',
  'Chloe',
  'Hugo',
  'Amelia',
  'Oliver',
  'Isla',
  'Noah',
  'José',
  'Zoë',
  'Chloé',
  'Renée',
  'Björn',
  'Ana',
  'Mateo',
  'Léa',
  'Jürgen',
  'Siobhan',
] as const;

export const LastNames = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Wilson',
  'Anderson',
  'Taylor',
  'Thomas',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Thompson',
  'White',
  'Harris',
  'Clark',
  'Lewis',
  'Walker',
  'Hall',
  'Young',
  'King',
  'Wright',
  'Scott',
  'Green',
  'Müller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Dubois',
  'Lefèvre',
  "O'Brien",
  'MacDonald',
  'Evans',
  'Hughes',
] as const;

export const Streets = [
  'Main St',
  'Oak Ave',
  'Maple Dr',
  'Cedar Ln',
  'Elm St',
  'Park Rd',
  'High St',
  'Church Rd',
  'Mill Ln',
  'Station Rd',
  'Hauptstraße',
  'Bahnhofstraße',
  'Rue de la Paix',
  'Rue Victor Hugo',
  'Lake View Blvd',
] as const;

export interface CountryProfile {
  code: 'US' | 'GB' | 'DE' | 'FR';
  dialCode: string;
  cities: readonly string[];
  currency: string;
}

export const Countries: readonly CountryProfile[] = [
  {
    code: 'US',
    dialCode: '1',
    cities: ['Springfield', 'Portland', 'Austin', 'Denver', 'Boston'],
    currency: 'USD',
  },
  { code: 'GB', dialCode: '44', cities: ['London', 'Leeds', 'Bristol', 'Manchester'], currency: 'GBP' },
  { code: 'DE', dialCode: '49', cities: ['Berlin', 'Hamburg', 'München', 'Köln'], currency: 'EUR' },
  { code: 'FR', dialCode: '33', cities: ['Paris', 'Lyon', 'Nantes', 'Lille'], currency: 'EUR' },
];

export const FreemailDomains = [
  'gmail.com',
  'googlemail.com',
  'yahoo.com',
  'outlook.com',
  'hotmail.com',
  'icloud.com',
  'gmx.de',
  'orange.fr',
] as const;
export const WorkDomains = ['acme.io', 'globex.com', 'initech.co', 'umbrella.org', 'hooli.dev'] as const;

/** What people type into forms when they do not want to give their details. Platforms blocklist these. */
export const JunkEmails = [
  'test@test.com',
  'noemail@noemail.com',
  'none@none.com',
  'a@a.com',
  'no@email.com',
] as const;
/** Phone values as typed at the till; every one normalizes to something no person owns. */
export const JunkPhones = ['0000000000', '1234567890', '9999999999', '1111111111'] as const;

export const Products = [
  { sku: 'TSH-001', name: 'Organic Cotton T-Shirt', price: 24.0, category: 'apparel' },
  { sku: 'JKT-014', name: 'Rain Jacket', price: 129.0, category: 'apparel' },
  { sku: 'SNK-220', name: 'Trail Sneakers', price: 89.5, category: 'footwear' },
  { sku: 'MUG-003', name: 'Enamel Mug', price: 12.0, category: 'home' },
  { sku: 'BAG-101', name: 'Canvas Tote', price: 19.99, category: 'accessories' },
  { sku: 'SCK-007', name: 'Wool Socks (3 pack)', price: 15.0, category: 'apparel' },
  { sku: 'BTL-050', name: 'Insulated Bottle', price: 34.0, category: 'home' },
  { sku: 'CAP-012', name: 'Baseball Cap', price: 22.0, category: 'accessories' },
] as const;
export type Product = (typeof Products)[number];

export const Pages = [
  { path: '/', name: 'Home' },
  { path: '/collections/new', name: 'New Arrivals' },
  { path: '/collections/sale', name: 'Sale' },
  { path: '/products/rain-jacket', name: 'Rain Jacket' },
  { path: '/products/trail-sneakers', name: 'Trail Sneakers' },
  { path: '/blog/layering-guide', name: 'Layering Guide' },
  { path: '/stores', name: 'Store Locator' },
] as const;

export const Stores = ['store-001', 'store-002', 'store-017', 'store-042'] as const;
export const Campaigns = ['spring-sale', 'new-arrivals', 'loyalty-bonus', 'winback'] as const;
export const SocialNetworks = ['facebook', 'instagram', 'tiktok'] as const;
export type SocialNetwork = (typeof SocialNetworks)[number];
