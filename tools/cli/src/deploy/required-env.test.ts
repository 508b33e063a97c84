import { z } from 'zod';
import { requiredVariables } from './required-env';

describe('requiredVariables', () => {
  it('requiredVariables should list only fields without a default that are not optional', () => {
    const schema = z.object({
      SECRET: z.string().min(32),
      PORT: z.coerce.number().default(8080),
      OPTIONAL: z.string().optional(),
      LIST: z.string().transform((s) => s.split(',')),
    });
    expect(requiredVariables(schema)).toEqual(['LIST', 'SECRET']);
  });
});
