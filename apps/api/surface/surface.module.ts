import { Module } from '@nestjs/common';
import { SurfaceController } from './surface.controller';
import { SurfaceResolver } from './surface.resolver';
import { SurfaceService } from './surface.service';

@Module({ controllers: [SurfaceController], providers: [SurfaceResolver, SurfaceService] })
export class SurfaceModule {}
