"""What a month of the 石龙区 hotline is made of: the requests people bring, who brings
them and where from. Invented people and places only (no street named after anyone)."""

from __future__ import annotations

# Departments and service centres that call, mail and use the portal.
DEPARTMENTS = [
    "区市场监督管理局", "区人力资源和社会保障局", "区医疗保障局", "区民政局", "区住房和城乡建设局",
    "区卫生健康委员会", "区自然资源分局", "区不动产登记中心", "区公安分局户政科", "区退役军人事务局",
    "区残疾人联合会", "区城市管理局", "区教育体育局", "区税务局第一分局",
]
CENTRES = [
    "区政务服务中心", "龙河街道便民服务中心", "高庄街道便民服务中心", "人民路街道便民服务中心",
    "龙兴街道便民服务中心", "石龙村便民服务站", "龙河社区服务站", "寺坡社区服务站",
]
# Invented surnames + given names: common, matching nobody in particular.
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐韩冯邓曹彭曾萧田董潘袁蔡蒋余"
GIVEN = ["建华", "秀英", "丽娟", "志强", "海燕", "国庆", "晓燕", "春梅", "宏伟", "桂兰", "文博", "雨欣",
         "子涵", "俊杰", "玉珍", "明辉", "红霞", "亚楠", "振东", "淑芬", "浩然", "佳怡", "德胜", "凤英"]
COMPANIES = ["石龙区宏达建材有限公司", "平顶山市龙腾物流有限公司", "石龙区惠民药房", "石龙区鑫源煤业服务部",
             "平顶山市安居物业管理有限公司", "石龙区乐康养老服务中心", "石龙区好运来超市", "石龙区青禾农业合作社"]

# Things a person applies for (事项), for consultations and 12345 transfers.
ITEMS = ["个体工商户设立登记", "营业执照变更登记", "食品经营许可延续", "社会保障卡补领", "城乡居民医保参保登记",
         "高龄津贴申领", "残疾人两项补贴申请", "不动产登记资料查询", "户口迁移证明开具", "居住证签注",
         "住房公积金提取", "退役军人优待证申领", "失业保险金申领", "生育津贴申领", "道路挖掘许可",
         "二手房转移登记", "出生医学证明补发", "灵活就业人员社保缴费", "危险化学品经营许可", "建筑工程施工许可"]
SYSTEMS = {"portal": "网上办事大厅", "uia": "统一身份认证", "licence": "电子证照系统", "rating": "好差评系统",
           "approval": "一窗受理审批系统", "items": "事项管理系统", "data": "数据共享交换平台", "infra": "政务外网"}

# (type, priority, component, channels, subject, reply on the ticket, resolution)
# ``{item}``, ``{dept}``, ``{centre}``, ``{n}`` are filled per ticket. Channels: p phone,
# w portal, m mail, a API (12345 transfers), o on site, s monitoring.
SCENARIOS = [
    # Citizens' and businesses' questions: mostly answered on the call.
    ("consultation", "p4", "items", "ppppw", "咨询{item}网上办理入口",
     "已告知办理入口及所需材料。", "已电话告知在“个人办事”中搜索事项名称办理。"),
    ("consultation", "p4", "items", "pppw", "咨询{item}需要准备哪些材料",
     "已将办事指南链接发送至请求人手机。", "已按办事指南逐项说明材料清单。"),
    ("consultation", "p4", "approval", "pppw", "查询{item}办件进度",
     "已查询办件状态并告知请求人。", "办件在审批中，已告知预计办结时间。"),
    ("consultation", "p4", "uia", "ppw", "个人用户忘记登录密码，手机号已更换",
     "指导请求人通过人脸识别找回账号。", "已通过人脸识别重置密码并换绑手机号。"),
    ("consultation", "p4", "uia", "ppw", "法人用户经办人变更后无法登录",
     "需由法定代表人在单位中心变更经办人。", "已指导完成经办人变更，可正常登录。"),
    ("consultation", "p4", "uia", "ppp", "人脸识别认证多次失败，询问其他认证方式",
     "建议更换光线充足环境或使用窗口代认证。", "已告知可携带身份证到窗口现场核验。"),
    ("consultation", "p4", "portal", "ppw", "登录时收不到短信验证码",
     "已核实号码无误，建议检查手机拦截设置。", "请求人解除短信拦截后已收到验证码。"),
    ("consultation", "p4", "rating", "pw", "办件评价按钮灰色无法评价",
     "办件办结后方可评价，已说明。", "办结后已可评价，请求人已完成评价。"),
    ("consultation", "p3", "licence", "ppm", "电子营业执照下载后打开提示签名无效",
     "需安装最新版电子营业执照插件。", "已指导重新下载并安装插件，签名验证通过。"),
    ("consultation", "p4", "portal", "pw", "咨询跨省通办{item}办理方式",
     "已告知跨省通办专区入口。", "已说明可在异地代收代办窗口提交。"),
    ("consultation", "p4", "items", "pw", "{dept}办事指南中收费标准与窗口告知不一致",
     "已转事项管理员核对。", "事项管理员已更新收费标准说明。"),
    # 12345 transfers arrive by the interface.
    ("consultation", "p3", "approval", "a", "12345转办：群众反映{item}线上提交后长时间未受理",
     "已联系{dept}窗口确认受理情况。", "窗口已受理，已回复12345平台。"),
    ("fault", "p3", "portal", "a", "12345转办：{item}在线申请提交按钮无反应",
     "已复现，为浏览器兼容问题。", "已修复提交按钮脚本兼容问题并回复12345平台。"),
    ("service_request", "p3", "items", "a", "12345转办：建议{dept}增加{item}线上预约",
     "已转{dept}研究。", "{dept}已开通线上预约，已回复12345平台。"),
    # Faults reported by the windows and the departments.
    ("fault", "p3", "approval", "ppom", "{centre}受理回执打印乱码",
     "远程查看打印机驱动配置。", "更换打印模板字体后打印正常。"),
    ("fault", "p3", "uia", "ppm", "{dept}窗口U盾插入后提示证书无效",
     "初步判断为证书驱动版本过旧。", "已远程升级证书驱动，登录正常。"),
    ("fault", "p2", "approval", "ppo", "{centre}一窗受理系统无法保存受理信息",
     "工程师远程排查，数据库连接数接近上限。", "已释放空闲连接并调整连接池，受理保存恢复正常。"),
    ("fault", "p3", "licence", "pmw", "{item}办理时调用电子证照提示证照不存在",
     "已核实持证人证照未归集，联系发证部门补录。", "发证部门已补录证照，调用正常。"),
    ("fault", "p3", "portal", "pw", "移动端小程序{item}页面白屏",
     "已收集机型和版本信息。", "已发布小程序修复版本，页面显示正常。"),
    ("fault", "p3", "rating", "po", "{centre}好差评评价器离线",
     "安排工程师现场查看评价器网络。", "评价器网线松动，已重新接好并测试评价上传。"),
    ("fault", "p3", "rating", "pm", "好差评短信邀评未发送给办事群众",
     "短信通道发送记录显示失败码。", "短信模板签名重新报备后恢复发送。"),
    ("fault", "p2", "data", "ms", "与市级平台数据共享接口调用失败",
     "接口返回鉴权失败，正在核对调用凭证。", "调用凭证过期，已更新并补推失败数据。"),
    ("fault", "p2", "licence", "ps", "电子证照共享接口响应超时",
     "证照库查询慢，正在分析慢查询。", "已为证照库补建索引，响应恢复至 300 毫秒内。"),
    ("fault", "p2", "infra", "so", "政务外网至{centre}链路丢包",
     "已联系运营商排查线路。", "运营商更换光模块后链路恢复。"),
    ("fault", "p3", "portal", "pw", "网上办事大厅上传附件提示格式不支持",
     "已确认为扫描件扩展名大写导致。", "已修正附件格式校验，大写扩展名可正常上传。"),
    ("fault", "p3", "approval", "po", "{centre}高拍仪无法调用",
     "安排工程师到场检查。", "重装高拍仪驱动并调整浏览器控件权限后恢复。"),
    ("fault", "p4", "portal", "pw", "门户首页部分链接失效",
     "已排查失效链接清单。", "已更新失效链接 {n} 条。"),
    ("fault", "p1", "uia", "sp", "统一身份认证登录大面积失败",
     "已启动应急预案，正在排查认证服务。", "认证服务节点内存耗尽，已扩容并重启，登录恢复。"),
    # Service requests from the bureau and departments.
    ("service_request", "p3", "approval", "mmp", "{dept}新增窗口人员账号 {n} 个",
     "已收到人员名单，正在开通。", "账号已开通并告知初始密码修改要求。"),
    ("service_request", "p3", "approval", "mp", "{dept}人员调岗，申请注销审批账号",
     "已核实人员调岗文件。", "已注销账号并回收 U 盾。"),
    ("service_request", "p3", "items", "mw", "{dept}申请调整{item}办事指南",
     "已收到调整内容，待部门确认。", "办事指南已更新并发布。"),
    ("service_request", "p3", "data", "m", "导出{dept}上月办件统计数据",
     "数据使用需甲方审批，已提交申请。", "已按审批范围导出并加密发送。"),
    ("service_request", "p3", "approval", "mo", "{centre}新增自助终端接入平台",
     "已约定现场接入时间。", "自助终端已接入并完成联调。"),
    ("service_request", "p4", "items", "mp", "{dept}新增{item}事项上线",
     "已收到事项要素，正在配置。", "事项已配置上线，已请部门验证。"),
    # Improvements and promotion.
    ("optimisation", "p4", "portal", "wmo", "门户“一件事一次办”专区导航优化",
     "已整理优化方案，待甲方确认。", "专区导航已按方案调整上线。"),
    ("optimisation", "p4", "approval", "mo", "{centre}受理界面增加常用材料快捷选择",
     "已收集窗口常用材料清单。", "快捷选择已上线，窗口反馈录入更快。"),
    ("promotion", "p4", "portal", "o", "{centre}网上办事推广培训",
     "已约定培训时间和人数。", "培训已完成，参训 {n} 人。"),
    ("promotion", "p4", "rating", "o", "{centre}好差评扫码评价宣传物料张贴",
     "宣传物料已印制。", "已张贴评价二维码并讲解使用方法。"),
]
