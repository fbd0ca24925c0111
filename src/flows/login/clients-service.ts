import { sha256 } from '../../auth/secrets.js';
import type { Clock } from '../../domain/clock.js';
import { randomToken, type Random } from '../../domain/random.js';
import { AppError } from '../../domain/errors.js';
import type { ClientsRepo, Client } from '../../store/clients.js';
import { publicClient, type StoredClient } from '../../store/clients.js';
import type { UsersRepo } from '../../store/users.js';
import { checkedUriSettings, type UriSettingsInput } from './client-uris.js';

export const SUPPORTED_SCOPES = ['openid', 'profile', 'email', 'phone'] as const;
export const CLIENT_ID_PATTERN = '^[A-Za-z0-9._-]{3,64}$';

/** What an admin may change on a registered application; a field left out stays as it is. */
export interface ClientUpdate extends UriSettingsInput {
  name?: string | undefined;
  scopes?: string[] | undefined;
}

function checkedScopes(scopes: string[]): string[] {
  const bad = scopes.filter((s) => !(SUPPORTED_SCOPES as readonly string[]).includes(s));
  if (bad.length) throw new AppError('invalid_scope', `unsupported scope: ${bad.join(' ')}; supported: ${SUPPORTED_SCOPES.join(' ')}`);
  return [...new Set(scopes)];
}

function checkedName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 120) throw new AppError('invalid_request', 'name must hold 1-120 characters', { field: 'name' });
  return trimmed;
}

/** Registers applications (OAuth clients). Routes and the CLI both use it. */
export class ClientsService {
  constructor(
    private readonly repo: ClientsRepo,
    private readonly users: Pick<UsersRepo, 'findById'>,
    private readonly clock: Clock,
    private readonly random: Random,
  ) {}

  /** Returns the client and, for a confidential client, its secret (shown once, stored hashed). */
  async create(
    input: { name: string; clientId?: string | undefined; confidential: boolean; scopes?: string[] | undefined; ownerId: string | null } & UriSettingsInput,
  ): Promise<{ client: Client; client_secret?: string }> {
    const scopes = checkedScopes(input.scopes ?? ['openid', 'profile']);
    const uris = checkedUriSettings(input);
    const clientId = input.clientId ?? `app_${randomToken(this.random, 9)}`;
    if (!new RegExp(CLIENT_ID_PATTERN).test(clientId)) throw new AppError('invalid_request', 'client_id may hold 3-64 letters, digits, dots, dashes and underscores');
    // The owner is a foreign key: an unknown one is the caller's mistake, not a database error.
    if (input.ownerId !== null && !(await this.users.findById(input.ownerId))) throw new AppError('unknown_user', `no account with id ${input.ownerId}`);
    const secret = input.confidential ? randomToken(this.random, 32) : undefined;
    const stored: StoredClient = {
      client_id: clientId,
      name: input.name.trim(),
      confidential: secret !== undefined,
      secretHash: secret ? sha256(secret) : null,
      scopes,
      owner_id: input.ownerId,
      created_at: this.clock.now(),
      ...uris,
    };
    if (!(await this.repo.insert(stored))) throw new AppError('client_exists', `a client with id ${clientId} exists`);
    const client = publicClient(stored);
    return secret ? { client, client_secret: secret } : { client };
  }

  /** Changes what `patch` holds, with the checks of `create`; the grants and URIs are checked together, as they will be. */
  async update(clientId: string, patch: ClientUpdate): Promise<Client> {
    const current = await this.repo.find(clientId);
    if (!current) throw new AppError('unknown_client', 'no such client');
    const uris = checkedUriSettings(patch, current);
    const changed = await this.repo.update(clientId, {
      ...(patch.name !== undefined ? { name: checkedName(patch.name) } : {}),
      ...(patch.scopes !== undefined ? { scopes: checkedScopes(patch.scopes) } : {}),
      ...uris,
    });
    // Removed between the read and the write.
    if (!changed) throw new AppError('unknown_client', 'no such client');
    return publicClient(changed);
  }

  list(): Promise<Client[]> {
    return this.repo.list();
  }

  async remove(clientId: string): Promise<void> {
    if (!(await this.repo.disable(clientId, this.clock.now()))) throw new AppError('unknown_client', 'no such client');
  }
}
