import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('system_settings')
export class SystemSetting {
  @PrimaryColumn('text')
  key!: string;

  /** NULL: the setting's "none" (a JSON null). */
  @Column('jsonb', { nullable: true })
  value!: unknown;

  @Column('uuid', { nullable: true })
  updatedBy!: string | null;

  @Column('timestamptz', { default: () => 'now()' })
  updatedAt!: Date;
}
