import { Body, Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Actor } from '../common/actor.js';
import { AuthService } from './auth.service.js';
import { ChangePasswordRequest, LoginRequest, RefreshRequest, TokenResponse } from './dto/auth.dto.js';
import { UserResponse } from './dto/user.dto.js';
import { ALL_ROLES, CurrentActor, Public, Roles } from './roles.decorator.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with email and password' })
  @ApiOkResponse({ type: TokenResponse, description: 'Signed in: an access token, a refresh token and who you are' })
  @ApiUnauthorizedResponse({ description: 'The email or password is incorrect, or the account is deactivated' })
  login(@CurrentActor() actor: Actor, @Body() body: LoginRequest): Promise<TokenResponse> {
    return this.auth.login(actor, body);
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Trade a refresh token for a new access and refresh token' })
  @ApiOkResponse({ type: TokenResponse, description: 'A new access token and a new refresh token (the old one is spent)' })
  @ApiUnauthorizedResponse({ description: 'The refresh token is unknown, expired, revoked or was already used' })
  refresh(@CurrentActor() actor: Actor, @Body() body: RefreshRequest): Promise<TokenResponse> {
    return this.auth.refresh(actor, body.refresh_token);
  }

  @Post('logout')
  @Roles(...ALL_ROLES)
  @HttpCode(204)
  @ApiOperation({ summary: 'End the session the refresh token belongs to' })
  @ApiNoContentResponse()
  logout(@CurrentActor() actor: Actor, @Body() body: RefreshRequest): Promise<void> {
    return this.auth.logout(actor, body.refresh_token);
  }

  @Get('me')
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: 'The signed-in user (or the owner of the API key)' })
  @ApiOkResponse({ type: UserResponse })
  me(@CurrentActor() actor: Actor): Promise<UserResponse> {
    return this.auth.me(actor);
  }

  @Put('me/password')
  @Roles(...ALL_ROLES)
  @HttpCode(204)
  @ApiOperation({ summary: 'Change your own password; signs you out of other sessions' })
  @ApiNoContentResponse()
  changePassword(@CurrentActor() actor: Actor, @Body() body: ChangePasswordRequest): Promise<void> {
    return this.auth.changePassword(actor, body);
  }
}
