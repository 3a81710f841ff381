import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User, type Role } from './user.entity.js';

@Entity('api_keys')
export class ApiKey {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid')
  ownerId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_id' })
  owner?: User;

  @Column('text')
  name!: string;

  @Column('text')
  role!: Role;

  /** The first characters of the secret, shown in lists so a key can be recognised. */
  @Column('text')
  prefix!: string;

  /** SHA-256 of the whole secret; the secret itself is shown once and never stored. */
  @Column('text')
  secretHash!: string;

  @Column('timestamptz', { nullable: true })
  expiresAt!: Date | null;

  /** The models it may call (ids); null: every model. */
  @Column('uuid', { array: true, nullable: true })
  models!: string[] | null;

  @Column('timestamptz', { nullable: true })
  lastUsedAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  revokedAt!: Date | null;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;
}
