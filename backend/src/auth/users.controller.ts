import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../common/actor.js';
import { IdParam } from '../common/id-param.js';
import { ProblemResponse } from '../common/problem.dto.js';
import { CreateUserRequest, UpdateUserRequest, UserListQuery, UserPage, UserResponse } from './dto/user.dto.js';
import { CurrentActor, Roles } from './roles.decorator.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@Controller('users')
@Roles('admin')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'List users' })
  @ApiOkResponse({ type: UserPage })
  listUsers(@Query() query: UserListQuery): Promise<UserPage> {
    return this.users.list(query);
  }

  @Post()
  @ApiOperation({ summary: 'Create a user' })
  @ApiCreatedResponse({ type: UserResponse })
  @ApiConflictResponse({ description: 'Email already in use', type: ProblemResponse })
  createUser(@CurrentActor() actor: Actor, @Body() body: CreateUserRequest): Promise<UserResponse> {
    return this.users.create(actor, body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One user' })
  @ApiOkResponse({ type: UserResponse })
  getUser(@IdParam() id: string): Promise<UserResponse> {
    return this.users.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a user: name, role, active flag or password' })
  @ApiOkResponse({ type: UserResponse })
  updateUser(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: UpdateUserRequest): Promise<UserResponse> {
    return this.users.update(actor, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a user and their API keys' })
  @ApiNoContentResponse()
  deleteUser(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<void> {
    return this.users.remove(actor, id);
  }
}
