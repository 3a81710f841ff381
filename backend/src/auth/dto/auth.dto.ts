import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsString, MaxLength, MinLength } from 'class-validator';
import { PASSWORD_MIN, UserResponse } from './user.dto.js';

export class LoginRequest {
  @ApiProperty({ example: 'admin@example.com' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsString()
  @IsNotEmpty()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  password!: string;
}

export class RefreshRequest {
  @ApiProperty({ example: 'sbr_…' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  refresh_token!: string;
}

export class ChangePasswordRequest {
  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  current_password!: string;

  @ApiProperty({ minLength: PASSWORD_MIN, maxLength: 256, example: 'a new and longer passphrase' })
  @IsString()
  @MinLength(PASSWORD_MIN)
  @MaxLength(256)
  new_password!: string;
}

export class TokenResponse {
  @ApiProperty({ description: 'JWT for `Authorization: Bearer`' }) access_token!: string;
  @ApiProperty({ enum: ['Bearer'] }) token_type!: 'Bearer';
  @ApiProperty({ description: 'Seconds until the access token expires', example: 900 }) expires_in!: number;
  @ApiProperty({ description: 'Opaque; trade it at /auth/refresh. Rotated on every use.' }) refresh_token!: string;
  @ApiProperty({ example: 604800 }) refresh_expires_in!: number;
  @ApiProperty({ type: UserResponse }) user!: UserResponse;
}
