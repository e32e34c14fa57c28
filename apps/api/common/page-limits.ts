import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { PerimeterConfig } from '../../../libs/config/config';
import { organisationPageSize } from '../../../libs/db';
import { CONFIG, DATA_SOURCE } from '../tokens';

/**
 * The largest page a connection serves: the organisation's own cap (stored with it) or the
 * configured GRAPHQL_MAX_PAGE_SIZE. Asking for more is BAD_USER_INPUT, never silently truncated.
 */
@Injectable()
export class PageLimits {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CONFIG) private readonly config: PerimeterConfig,
  ) {}

  async maxPageSize(organisationId: string | null): Promise<number> {
    const own = organisationId ? await organisationPageSize(this.dataSource, organisationId) : null;
    return own ?? this.config.graphql.maxPageSize;
  }
}
