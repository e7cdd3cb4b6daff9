import { useId, useMemo, useState } from 'react';
import { Modal } from '../../common/Modal.js';
import { filterCommands, type Command } from './commands.js';

export function CommandPalette({ commands, onClose }: { commands: readonly Command[]; onClose(): void }) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const listId = useId();
  const shown = useMemo(() => filterCommands(commands, query), [commands, query]);
  const current = Math.min(active, Math.max(0, shown.length - 1));
  const run = (command: Command | undefined) => {
    if (!command) return;
    onClose();
    command.run();
  };
  return (
    <Modal title="Command palette" onClose={onClose} className="palette">
      <input
        className="input palette-input"
        role="combobox"
        aria-label="Search commands"
        aria-expanded="true"
        aria-controls={listId}
        aria-activedescendant={shown[current] ? `${listId}-${shown[current].id}` : undefined}
        data-autofocus
        placeholder="Type a command or a workspace…"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setActive((current + 1) % Math.max(1, shown.length));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((current - 1 + shown.length) % Math.max(1, shown.length));
          } else if (e.key === 'Enter') {
            e.preventDefault();
            run(shown[current]);
          }
        }}
      />
      <ul id={listId} role="listbox" aria-label="Commands" className="palette-list">
        {shown.map((command, index) => (
          <li
            key={command.id}
            id={`${listId}-${command.id}`}
            role="option"
            aria-selected={index === current}
            className={index === current ? 'active' : undefined}
            onMouseEnter={() => setActive(index)}
            onClick={() => run(command)}
          >
            <span>{command.title}</span>
            {command.shortcut ? <kbd>{command.shortcut}</kbd> : null}
          </li>
        ))}
        {shown.length === 0 ? (
          <li role="option" aria-selected="false" aria-disabled="true" className="muted">
            No command matches “{query}”.
          </li>
        ) : null}
      </ul>
    </Modal>
  );
}
