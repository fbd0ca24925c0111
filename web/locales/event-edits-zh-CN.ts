import type { eventEditsEn } from './event-edits-en.js';

/** 编辑、删除和归档活动与场次，以及看板上的“尚未到场”名单。 */
export const eventEditsZhCN: Record<keyof typeof eventEditsEn, string> = {
  'events.settings.heading': '编辑或移除此活动',
  'events.settings.intro': '可修改名称和日期。没有任何人签到的活动可以删除；已有签到的活动只能归档：记录保留，但不再出现在列表和扫码设备中。',
  'events.settings.save': '保存修改',
  'events.settings.saved': '已保存。',
  'events.settings.delete': '删除活动',
  'events.settings.deleteConfirm': '确定删除“{name}”及其所有场次、参会者和扫码设备吗？此操作无法撤销。',
  'events.settings.archive': '归档活动',
  'events.settings.archiveInstead': '改为归档',
  'events.settings.restore': '恢复活动',
  'events.settings.archivedNote': '此活动已归档：不会出现在活动列表和扫码设备中。恢复后即可再次使用。',

  'events.archived.heading': '已归档的活动',
  'events.archived.intro': '签到记录均已保留，但不出现在上面的列表和扫码设备中。',
  'events.archived.empty': '没有已归档的活动。',
  'events.archived.restore': '恢复',
  'events.archived.restoreNamed': '恢复 {name}',

  'events.sessions.edit': '编辑',
  'events.sessions.editNamed': '编辑 {name}',
  'events.sessions.editHeading': '编辑“{name}”',
  'events.sessions.opensEdit': '签到开始',
  'events.sessions.closesEdit': '签到截止',
  'events.sessions.save': '保存',
  'events.sessions.cancel': '取消',
  'events.sessions.delete': '删除',
  'events.sessions.deleteNamed': '删除 {name}',
  'events.sessions.deleteConfirm': '确定删除场次“{name}”吗？此操作无法撤销。',
  'events.sessions.archiveInstead': '改为归档“{name}”',
  'events.sessions.archivedHeading': '已归档的场次',
  'events.sessions.restore': '恢复',
  'events.sessions.restoreNamed': '恢复 {name}',

  'events.error.event_has_checkins': '此活动已有人签到，无法删除。请改为归档：签到记录会保留，但活动将被隐藏。',
  'events.error.session_has_checkins': '此场次已有人签到，无法删除。请改为归档：签到记录会保留，但扫码设备中将不再显示。',

  'dashboard.missing.heading': '尚未到场',
  'dashboard.missing.hint': '本场次应到但尚未签到的所有人，按姓名排序。',
  'dashboard.missing.search': '按姓名或邮箱查找',
  'dashboard.missing.export': '导出此名单（CSV）',
  'dashboard.missing.count': '显示 {shown} 人，共 {total} 人尚未到场。',
  'dashboard.missing.none': '应到人员已全部到场。',
  'dashboard.missing.noMatch': '尚未到场的人中没有与“{q}”匹配的。',
  'dashboard.missing.more': '显示更多',
};
