import { AppError } from '@tessera/contracts';

export function profileNotFound(id: string): AppError {
  return new AppError('PROFILE_NOT_FOUND', `profile ${id} not found`, { statusCode: 404 });
}
