import type { Kysely } from 'kysely';

/**
 * Live conversations (issue 4): conversations, their participants, their messages (numbered per
 * conversation, idempotent on the client's message id) and per-participant receipts (the highest
 * delivered and read seq is enough to show ticks and unread counts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('conversations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('patient_id', 'text')
    .addColumn('visitor_name', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('queue', 'text')
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(2)) // 0 urgent … 3 low, as in contracts/routing
    .addColumn('skills', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('handoff', 'text')
    .addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .execute();
  await db.schema.createIndex('conversations_state').on('conversations').columns(['state', 'created_at']).execute();
  await db.schema.createIndex('conversations_patient').on('conversations').column('patient_id').execute();

  await db.schema
    .createTable('conversation_participants')
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text')
    .addColumn('muted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('joined_at', 'text', (c) => c.notNull())
    .addColumn('left_at', 'text')
    .addPrimaryKeyConstraint('conversation_participants_pk', ['conversation_id', 'user_id'])
    .execute();
  await db.schema.createIndex('conversation_participants_user').on('conversation_participants').columns(['user_id', 'left_at']).execute();

  await db.schema
    .createTable('conversation_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('client_message_id', 'text')
    .addColumn('sender_kind', 'text', (c) => c.notNull())
    .addColumn('sender_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('conversation_messages_seq', ['conversation_id', 'seq'])
    .addUniqueConstraint('conversation_messages_client_id', ['conversation_id', 'sender_id', 'client_message_id'])
    .execute();

  await db.schema
    .createTable('conversation_receipts')
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('delivered_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('read_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('conversation_receipts_pk', ['conversation_id', 'user_id'])
    .execute();
}
