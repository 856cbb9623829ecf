/**
 * Slack's size limits for a message and its Block Kit blocks, and a validator that lists every
 * violation of them. Slack rejects a whole message for one oversized string (`invalid_blocks`,
 * `msg_too_long`, `msg_blocks_too_long`), so the renderer shapes text to these numbers and the tests
 * hold everything it renders against `validateMessage`.
 */

export const SLACK_LIMITS = Object.freeze({
  blocksPerMessage: 50,
  messageText: 40_000,
  /**
   * Not documented: Slack answers `msg_blocks_too_long` once the text of all blocks together passes
   * about 13,200 characters (slackapi/bolt-js#2509), so we keep well below it.
   */
  blocksTotalText: 12_000,
  headerText: 150,
  sectionText: 3_000,
  sectionFields: 10,
  fieldText: 2_000,
  contextElements: 10,
  /** A text object anywhere else (context elements): Slack's general cap on a text object. */
  textObject: 3_000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2_000,
  url: 3_000,
  id: 255,
  placeholderText: 150,
  selectOptions: 100,
  optionText: 75,
  optionValue: 150,
});

/** Shortens `text` to at most `max` UTF-16 units, ending in "…" when cut; never splits a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  if (max === 1) return '…';
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end) + '…';
}

type Violations = { list: string[]; totalText: number };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkText(
  v: Violations,
  path: string,
  value: unknown,
  max: number,
  types: readonly string[] = ['plain_text', 'mrkdwn'],
): void {
  if (!isRecord(value)) {
    v.list.push(`${path}: must be a text object`);
    return;
  }
  if (typeof value.type !== 'string' || !types.includes(value.type)) {
    v.list.push(`${path}.type: must be one of ${types.join(', ')}`);
  }
  if (typeof value.text !== 'string' || value.text.length === 0) {
    v.list.push(`${path}.text: must be a non-empty string`);
    return;
  }
  v.totalText += value.text.length;
  if (value.text.length > max) v.list.push(`${path}.text: ${value.text.length} characters, limit ${max}`);
}

function checkString(v: Violations, path: string, value: unknown, max: number, required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'string' || value.length === 0) {
    v.list.push(`${path}: must be a non-empty string`);
    return;
  }
  if (value.length > max) v.list.push(`${path}: ${value.length} characters, limit ${max}`);
}

function checkOption(v: Violations, path: string, option: unknown): void {
  if (!isRecord(option)) {
    v.list.push(`${path}: must be an option object`);
    return;
  }
  checkText(v, `${path}.text`, option.text, SLACK_LIMITS.optionText, ['plain_text']);
  checkString(v, `${path}.value`, option.value, SLACK_LIMITS.optionValue, true);
}

function checkElement(v: Violations, path: string, element: unknown): void {
  if (!isRecord(element)) {
    v.list.push(`${path}: must be an element object`);
    return;
  }
  checkString(v, `${path}.action_id`, element.action_id, SLACK_LIMITS.id, false);
  switch (element.type) {
    case 'button':
      checkText(v, `${path}.text`, element.text, SLACK_LIMITS.buttonText, ['plain_text']);
      checkString(v, `${path}.value`, element.value, SLACK_LIMITS.buttonValue, false);
      checkString(v, `${path}.url`, element.url, SLACK_LIMITS.url, false);
      if (element.style !== undefined && element.style !== 'primary' && element.style !== 'danger') {
        v.list.push(`${path}.style: must be primary or danger`);
      }
      return;
    case 'static_select': {
      if (element.placeholder !== undefined) {
        checkText(v, `${path}.placeholder`, element.placeholder, SLACK_LIMITS.placeholderText, [
          'plain_text',
        ]);
      }
      const options = element.options;
      if (!Array.isArray(options) || options.length === 0) {
        v.list.push(`${path}.options: must be a non-empty array`);
        return;
      }
      if (options.length > SLACK_LIMITS.selectOptions) {
        v.list.push(`${path}.options: ${options.length} options, limit ${SLACK_LIMITS.selectOptions}`);
      }
      for (const [i, option] of options.entries()) checkOption(v, `${path}.options[${i}]`, option);
      return;
    }
    default:
      v.list.push(`${path}.type: unsupported element type ${JSON.stringify(element.type)}`);
  }
}

function checkBlock(v: Violations, path: string, block: unknown): void {
  if (!isRecord(block)) {
    v.list.push(`${path}: must be a block object`);
    return;
  }
  checkString(v, `${path}.block_id`, block.block_id, SLACK_LIMITS.id, false);
  switch (block.type) {
    case 'header':
      checkText(v, `${path}.text`, block.text, SLACK_LIMITS.headerText, ['plain_text']);
      return;
    case 'divider':
      return;
    case 'section': {
      if (block.text === undefined && block.fields === undefined) {
        v.list.push(`${path}: a section needs text or fields`);
      }
      if (block.text !== undefined) checkText(v, `${path}.text`, block.text, SLACK_LIMITS.sectionText);
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields) || block.fields.length === 0) {
          v.list.push(`${path}.fields: must be a non-empty array`);
        } else {
          if (block.fields.length > SLACK_LIMITS.sectionFields) {
            v.list.push(`${path}.fields: ${block.fields.length} fields, limit ${SLACK_LIMITS.sectionFields}`);
          }
          for (const [i, field] of block.fields.entries()) {
            checkText(v, `${path}.fields[${i}]`, field, SLACK_LIMITS.fieldText);
          }
        }
      }
      if (block.accessory !== undefined) checkElement(v, `${path}.accessory`, block.accessory);
      return;
    }
    case 'context': {
      const elements = block.elements;
      if (!Array.isArray(elements) || elements.length === 0) {
        v.list.push(`${path}.elements: must be a non-empty array`);
        return;
      }
      if (elements.length > SLACK_LIMITS.contextElements) {
        v.list.push(`${path}.elements: ${elements.length} elements, limit ${SLACK_LIMITS.contextElements}`);
      }
      for (const [i, element] of elements.entries()) {
        checkText(v, `${path}.elements[${i}]`, element, SLACK_LIMITS.textObject);
      }
      return;
    }
    case 'actions': {
      const elements = block.elements;
      if (!Array.isArray(elements) || elements.length === 0) {
        v.list.push(`${path}.elements: must be a non-empty array`);
        return;
      }
      if (elements.length > SLACK_LIMITS.actionsElements) {
        v.list.push(`${path}.elements: ${elements.length} elements, limit ${SLACK_LIMITS.actionsElements}`);
      }
      for (const [i, element] of elements.entries()) checkElement(v, `${path}.elements[${i}]`, element);
      return;
    }
    default:
      v.list.push(`${path}.type: unsupported block type ${JSON.stringify(block.type)}`);
  }
}

/**
 * Every way `message` breaks a limit above, each as "path: rule"; [] when Slack will accept it.
 * Knows only the block and element types this bot renders; anything else is reported, not guessed.
 */
export function validateMessage(message: { text: string; blocks: unknown[] }): string[] {
  const v: Violations = { list: [], totalText: 0 };
  if (typeof message.text !== 'string' || message.text.length === 0) {
    v.list.push('text: must be a non-empty string (the notification fallback)');
  } else if (message.text.length > SLACK_LIMITS.messageText) {
    v.list.push(`text: ${message.text.length} characters, limit ${SLACK_LIMITS.messageText}`);
  }
  if (!Array.isArray(message.blocks)) {
    v.list.push('blocks: must be an array');
    return v.list;
  }
  if (message.blocks.length > SLACK_LIMITS.blocksPerMessage) {
    v.list.push(`blocks: ${message.blocks.length} blocks, limit ${SLACK_LIMITS.blocksPerMessage}`);
  }
  const blockIds = new Set<string>();
  message.blocks.forEach((block, i) => {
    checkBlock(v, `blocks[${i}]`, block);
    if (isRecord(block) && typeof block.block_id === 'string') {
      if (blockIds.has(block.block_id)) v.list.push(`blocks[${i}].block_id: duplicate ${block.block_id}`);
      blockIds.add(block.block_id);
    }
  });
  if (v.totalText > SLACK_LIMITS.blocksTotalText) {
    v.list.push(`blocks: ${v.totalText} characters of text in all, limit ${SLACK_LIMITS.blocksTotalText}`);
  }
  return v.list;
}
